using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Tests.Planning;

/// <summary>The SPEC section 5 table, one test per row, plus worker assignment, retries, resume and TTL.</summary>
public sealed class PlannerTests
{
    private static readonly DateTimeOffset Now = new(2024, 12, 1, 12, 0, 0, TimeSpan.Zero);

    internal static KafkaRestore Restore(string name, string backupId = "backup-1", JobSpec? job = null) => new(
        new ObjectMeta(name, "kafka-backup", ValueMap.Empty, ValueMap.Empty),
        new KafkaRestoreSpec(backupId,
            new KafkaClusterSpec(new ValueList<string>(["127.0.0.1:9092"]), SecurityProtocol.Plaintext, null, null, null),
            new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec("/var/backups")),
            null, ValueMap.Empty, null, false, null, null, null, job ?? JobSpec.Default, null, OnExistingData.Fail));

    private static ResourceId Id(string name) => new(ResourceKinds.KafkaRestore, "kafka-backup", name);

    private static DesiredResource Valid(string name, string hash = "h1", string? rerun = null) => new()
    {
        Id = Id(name),
        Location = new SourceLocation($"restores/{name}.yaml", 1, 1),
        Resource = Restore(name),
        SpecHash = hash,
        RerunValue = rerun,
    };

    private static ResourceRecord Record(string name, ResourcePhase phase, string hash = "h1", string? rerun = null) => new()
    {
        Id = Id(name),
        SpecHash = hash,
        DesiredSpecHash = hash,
        RerunValue = rerun,
        SourceFile = $"restores/{name}.yaml",
        CreatedAt = Now.AddHours(-1),
        Status = new KafkaRestoreStatus { Phase = phase, ObservedGeneration = 1, Attempts = 1 },
    };

    private static IReadOnlyList<PlanAction> Plan(IEnumerable<DesiredResource> desired, IEnumerable<ResourceRecord> state, int max = 2, params string[] inFlight) =>
        Planner.Plan(new DesiredState("c1", desired.ToDictionary(d => d.Id), []), [.. state],
            new PlanContext(Now, max, inFlight.Select(Id).ToHashSet()));

    private static PlanActionKind[] Kinds(IReadOnlyList<PlanAction> plan, string name) => [.. plan.Where(a => a.Id == Id(name)).Select(a => a.Kind)];

    [Fact]
    public void Row_new_resource_is_recorded_as_Pending_and_started_when_a_worker_is_free()
    {
        var plan = Plan([Valid("a")], []);
        Assert.Equal([PlanActionKind.Create, PlanActionKind.Start], Kinds(plan, "a"));
        Assert.Contains("restores/a.yaml:1:1", plan[0].Reason);
    }

    [Fact]
    public void Row_invalid_resource_is_marked_Failed_and_nothing_else_is_affected()
    {
        var invalid = Valid("bad", "errors-hash") with { Resource = null, Errors = ["restores/bad.yaml:7:5: error: UnknownField: spec.topicz"] };
        var plan = Plan([invalid, Valid("good")], []);
        Assert.Equal([PlanActionKind.MarkInvalid], Kinds(plan, "bad"));
        Assert.Contains("restores/bad.yaml:7:5", plan.Single(a => a.Id == Id("bad")).Reason);
        Assert.Equal([PlanActionKind.Create, PlanActionKind.Start], Kinds(plan, "good"));
        // Once recorded with the same errors, it is not marked again.
        var marked = Record("bad", ResourcePhase.Failed, "errors-hash");
        Assert.Equal([PlanActionKind.Unchanged], Kinds(Plan([invalid], [marked]), "bad"));
    }

    [Fact]
    public void Row_unchanged_resource_needs_nothing()
    {
        foreach (var phase in new[] { ResourcePhase.Completed, ResourcePhase.Failed })
            Assert.Equal([PlanActionKind.Unchanged], Kinds(Plan([Valid("a")], [Record("a", phase)]), "a"));
        Assert.Equal([PlanActionKind.Unchanged], Kinds(Plan([Valid("a")], [Record("a", ResourcePhase.Running)], 2, "a"), "a"));
    }

    [Fact]
    public void Row_spec_changed_while_Pending_or_Failed_runs_a_new_generation()
    {
        foreach (var phase in new[] { ResourcePhase.Pending, ResourcePhase.Failed })
        {
            var plan = Plan([Valid("a", "h2")], [Record("a", phase, "h1")]);
            Assert.Equal([PlanActionKind.NewGeneration, PlanActionKind.Start], Kinds(plan, "a"));
            Assert.Contains("generation 2", plan[0].Reason);
        }
    }

    [Fact]
    public void Row_spec_changed_while_Running_lets_the_running_generation_finish_first()
    {
        var plan = Plan([Valid("a", "h2")], [Record("a", ResourcePhase.Running, "h1")], 2, "a");
        Assert.Equal([PlanActionKind.DeferChange, PlanActionKind.Unchanged], Kinds(plan, "a"));
        Assert.Contains("finishes (or fails) first", plan[0].Reason);
    }

    [Fact]
    public void Row_spec_changed_after_Completed_is_not_re_run_and_says_how_to_re_run()
    {
        var completed = Record("a", ResourcePhase.Completed, "h1");
        var plan = Plan([Valid("a", "h2")], [completed]);
        var action = Assert.Single(plan);
        Assert.Equal(PlanActionKind.KeepCompleted, action.Kind);
        Assert.Contains(ObjectMeta.RerunAnnotation, action.Reason);
        // Reported once: the next cycle sees the edit already recorded.
        Assert.Equal([PlanActionKind.Unchanged], Kinds(Plan([Valid("a", "h2")], [completed with { DesiredSpecHash = "h2" }]), "a"));
    }

    [Fact]
    public void Row_rerun_annotation_with_a_new_value_re_runs_even_a_Completed_resource()
    {
        var plan = Plan([Valid("a", "h1", rerun: "2024-12-02")], [Record("a", ResourcePhase.Completed, "h1", rerun: "2024-12-01")]);
        Assert.Equal([PlanActionKind.Rerun, PlanActionKind.Start], Kinds(plan, "a"));
        // The same value again is not new.
        Assert.Equal([PlanActionKind.Unchanged], Kinds(Plan([Valid("a", "h1", rerun: "x")], [Record("a", ResourcePhase.Completed, "h1", rerun: "x")]), "a"));
    }

    [Fact]
    public void Row_YAML_deleted_while_Running_cancels()
    {
        var plan = Plan([], [Record("a", ResourcePhase.Running)], 2, "a");
        var action = Assert.Single(plan);
        Assert.Equal(PlanActionKind.Cancel, action.Kind);
        Assert.Contains("remove the status file", action.Reason);
    }

    [Fact]
    public void Row_YAML_deleted_otherwise_removes_the_status_and_keeps_a_tombstone()
    {
        foreach (var phase in new[] { ResourcePhase.Pending, ResourcePhase.Completed, ResourcePhase.Failed })
            Assert.Equal(PlanActionKind.Remove, Assert.Single(Plan([], [Record("a", phase)])).Kind);
        Assert.Empty(Plan([], [Record("a", ResourcePhase.Completed) with { Tombstone = true }]));
    }

    [Fact]
    public void Row_duplicate_identity_in_two_files_reports_both_and_executes_neither()
    {
        var dup = Valid("a") with
        {
            Duplicates = [new SourceLocation("x/a.yaml", 1, 1), new SourceLocation("y/a.yaml", 4, 1)],
        };
        var action = Assert.Single(Plan([dup], []));
        Assert.Equal(PlanActionKind.MarkDuplicate, action.Kind);
        Assert.Contains("x/a.yaml:1:1", action.Reason);
        Assert.Contains("y/a.yaml:4:1", action.Reason);
    }

    [Fact]
    public void Workers_are_bounded_by_maxConcurrentRestores_and_go_to_the_oldest_first()
    {
        var older = Record("old", ResourcePhase.Pending) with { CreatedAt = Now.AddHours(-2) };
        var plan = Plan([Valid("old"), Valid("n1"), Valid("n2")], [older], max: 2, "busy");
        Assert.Equal([PlanActionKind.Start], Kinds(plan, "old"));
        Assert.Equal([PlanActionKind.Create, PlanActionKind.Wait], Kinds(plan, "n1"));
        Assert.Equal([PlanActionKind.Create, PlanActionKind.Wait], Kinds(plan, "n2"));
    }

    [Fact]
    public void Running_work_not_executing_resumes_first_and_retries_wait_for_their_backoff()
    {
        var resumed = Record("r", ResourcePhase.Running);
        var due = Record("due", ResourcePhase.Running) with { NextAttemptAt = Now.AddSeconds(-1) };
        var later = Record("later", ResourcePhase.Running) with { NextAttemptAt = Now.AddSeconds(30) };
        var plan = Plan([Valid("r"), Valid("due"), Valid("later"), Valid("new")], [resumed, due, later], max: 2);
        Assert.Equal([PlanActionKind.Resume], Kinds(plan, "r"));
        Assert.Equal([PlanActionKind.Retry], Kinds(plan, "due"));
        Assert.Equal([PlanActionKind.Wait], Kinds(plan, "later"));
        Assert.Equal([PlanActionKind.Create, PlanActionKind.Wait], Kinds(plan, "new"));
    }

    [Fact]
    public void Run_data_is_pruned_once_ttlSecondsAfterFinished_has_passed()
    {
        var done = Record("a", ResourcePhase.Completed) with
        {
            Job = new JobSpec(3, null, 60),
            Status = new KafkaRestoreStatus { Phase = ResourcePhase.Completed, CompletionTime = Now.AddSeconds(-61) },
        };
        Assert.Equal([PlanActionKind.Unchanged, PlanActionKind.Prune], Kinds(Plan([Valid("a")], [done]), "a"));
        Assert.Equal([PlanActionKind.Unchanged], Kinds(Plan([Valid("a")], [done with { RunDataPruned = true }]), "a"));
        Assert.Equal([PlanActionKind.Unchanged], Kinds(Plan([Valid("a")], [done with { Job = new JobSpec(3, null, 3600) }]), "a"));
    }
    private static DesiredResource Denied(string name, string resourceHash = "h1", string? rerun = null) => Valid(name, "denied:" + resourceHash, rerun) with
    {
        ResourceSpecHash = resourceHash,
        Denials = [$"restores/{name}.yaml:9:24: error: PolicyDenied: namespace kafka-backup may not use cluster 127.0.0.1:9092: add a pattern matching it to Policy:kafka-backup:Clusters in the daemon settings"],
    };

    [Fact]
    public void Policy_denied_resource_is_marked_Failed_then_left_alone_and_planned_anew_once_allowed()
    {
        var first = Plan([Denied("d")], []);
        Assert.Equal([PlanActionKind.MarkDenied], Kinds(first, "d"));
        Assert.Contains("Policy:kafka-backup:Clusters", first[0].Reason, StringComparison.Ordinal);

        var marked = Record("d", ResourcePhase.Failed, "denied:h1") with { Status = new KafkaRestoreStatus { Phase = ResourcePhase.Failed, ObservedGeneration = 1 } };
        Assert.Equal([PlanActionKind.Unchanged], Kinds(Plan([Denied("d")], [marked]), "d"));

        // The policy allows it now (a restart with new settings): the spec hash differs from the denied one, so a new generation starts.
        Assert.Equal([PlanActionKind.NewGeneration, PlanActionKind.Start], Kinds(Plan([Valid("d")], [marked]), "d"));
    }

    [Fact]
    public void Policy_denial_never_resumes_an_interrupted_run_nor_touches_a_completed_one()
    {
        Assert.Equal([PlanActionKind.MarkDenied], Kinds(Plan([Denied("r")], [Record("r", ResourcePhase.Running)]), "r"));
        Assert.Equal([PlanActionKind.MarkDenied], Kinds(Plan([Denied("p")], [Record("p", ResourcePhase.Pending)]), "p"));
        // Running in this process (the spec was edited into a denied one): the running generation finishes first.
        Assert.Equal([PlanActionKind.DeferChange, PlanActionKind.Unchanged], Kinds(Plan([Denied("x", "h2")], [Record("x", ResourcePhase.Running)], 2, "x"), "x"));

        var completed = Plan([Denied("c")], [Record("c", ResourcePhase.Completed)]);
        Assert.Equal([PlanActionKind.Unchanged], Kinds(completed, "c"));
        Assert.Contains("kept", completed.Single().Reason, StringComparison.Ordinal);
        // Positive control: a rerun request on it is refused visibly rather than ignored.
        Assert.Equal([PlanActionKind.MarkDenied], Kinds(Plan([Denied("c", rerun: "2024-12-02")], [Record("c", ResourcePhase.Completed)]), "c"));
    }
}
