using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Reconciler.Tests.Planning;

/// <summary>spec.suspend and spec.dependsOn in the model (issue #17): canonical form, spec hash, and the start gate's reading of a dependency.</summary>
public class SchedulingFieldsTests
{
    private const string Minimal = """
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata:
          name: minimal
          namespace: team-a
        spec:
          backupId: b-1
          targetCluster:
            bootstrapServers: [kafka:9092]
          storage:
            storageType: filesystem
            filesystem: {path: /var/backups/kafka}

        """;

    private const string Snap = """
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaOffsetRollback
        metadata: {name: snap, namespace: team-a}
        spec: {kafkaCluster: {bootstrapServers: ["kafka:9092"]}, operation: snapshot, snapshotId: s, consumerGroups: [g]}
        """;

    /// <summary>The restore of <see cref="Minimal"/> plus <paramref name="tail"/>, loaded beside the rollback team-a/snap it may depend on.</summary>
    private static KafkaResource Load(string tail)
    {
        var result = ResourceLoader.Combine([ResourceLoader.ParseFile("t.yaml", Minimal + tail), ResourceLoader.ParseFile("snap.yaml", Snap)]);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        return result.Resources.Single(r => r.Resource.Kind == ResourceKinds.KafkaRestore).Resource;
    }

    [Fact]
    public void Suspend_and_dependsOn_round_trip_through_the_canonical_yaml_with_the_namespace_defaulted()
    {
        var loaded = Load("  suspend: true\n  dependsOn: [{kind: KafkaOffsetRollback, name: snap}]\n");
        Assert.True(loaded.Suspend);
        Assert.Equal([new DependencyRef(ResourceKinds.KafkaOffsetRollback, "snap", "team-a")], loaded.DependsOn);

        var yaml = ResourceYaml.Serialize(loaded);
        Assert.Contains("namespace: team-a", yaml[yaml.IndexOf("dependsOn", StringComparison.Ordinal)..], StringComparison.Ordinal);
        var again = ResourceLoader.Combine([ResourceLoader.ParseFile("c.yaml", yaml), ResourceLoader.ParseFile("snap.yaml", Snap)]);
        Assert.False(again.HasErrors, string.Join("\n", again.Diagnostics));
        Assert.Equal(loaded, again.Resources.Single(r => r.Resource.Kind == ResourceKinds.KafkaRestore).Resource);
    }

    [Fact]
    public void Suspending_or_adding_a_dependency_is_no_spec_change_but_editing_the_spec_is()
    {
        var plain = DesiredStateLoader.SpecHash(Load(""));

        Assert.Equal(plain, DesiredStateLoader.SpecHash(Load("  suspend: true\n")));
        Assert.Equal(plain, DesiredStateLoader.SpecHash(Load("  suspend: false\n")));
        Assert.Equal(plain, DesiredStateLoader.SpecHash(Load("  dependsOn: [{kind: KafkaOffsetRollback, name: snap}]\n")));
        // Positive control: the same hash function does see a real edit.
        Assert.NotEqual(plain, DesiredStateLoader.SpecHash(Load("  topics: [orders]\n")));
    }

    [Fact]
    public void A_completed_dependency_with_a_new_rerun_value_is_not_ready_until_that_run_completes()
    {
        var dep = Load("");
        var dependent = dep with { Metadata = dep.Metadata with { Name = "later" }, DependsOn = new([new DependencyRef(dep.Kind, dep.Metadata.Name, "team-a")]) };
        DesiredResource Desired(KafkaResource r, string? rerun = null) => new()
        {
            Id = r.Id,
            Location = new SourceLocation("t.yaml", 1, 1),
            Resource = r,
            SpecHash = DesiredStateLoader.SpecHash(r),
            RerunValue = rerun,
        };
        ResourceRecord Completed(KafkaResource r) => new()
        {
            Id = r.Id,
            SpecHash = DesiredStateLoader.SpecHash(r),
            DesiredSpecHash = DesiredStateLoader.SpecHash(r),
            SourceFile = "t.yaml",
            Status = ResourceStatus.Empty(r.Kind) with { Phase = ResourcePhase.Completed },
            CreatedAt = DateTimeOffset.UnixEpoch,
            PhaseChangedAt = DateTimeOffset.UnixEpoch,
        };
        var records = new Dictionary<ResourceId, ResourceRecord> { [dep.Id] = Completed(dep) };
        DesiredState State(string? rerun) => new("c1", new Dictionary<ResourceId, DesiredResource>
        {
            [dep.Id] = Desired(dep, rerun),
            [dependent.Id] = Desired(dependent),
        }, []);

        Assert.Null(StartGate.Hold(dependent.Id, PlanActionKind.Start, State(null), records));
        var hold = StartGate.Hold(dependent.Id, PlanActionKind.Start, State("again"), records);
        Assert.Equal(PlanActionKind.AwaitDependency, hold?.Kind);
        Assert.Contains("starts a new generation (was Completed)", hold!.Reason, StringComparison.Ordinal);
    }
}
