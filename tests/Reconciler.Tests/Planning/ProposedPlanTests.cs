using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.Tests.Execution;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Planning;

/// <summary>
/// Issue #17, plans for pull requests: the plan of a branch computed from the repository alone (its
/// resources and the committed status files) is the plan the daemon's loop makes once the branch is merged.
/// </summary>
public sealed class ProposedPlanTests : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly KafkaFixture _kafka;
    private readonly GitRemote _remote = new();
    private readonly OrdersBackup _orders;

    public ProposedPlanTests(KafkaFixture kafka)
    {
        _kafka = kafka;
        _orders = new OrdersBackup(_remote.Scratch("backups"), 2, 5);
    }

    public void Dispose() => _remote.Dispose();

    private string Restore(string name, string target, string extra = "") => _orders.RestoreYaml(name, target, _kafka.Broker.BootstrapServers, extra);

    private string Human(params string[] args) => GitRemote.Git(_remote.HumanPath, args);

    [Fact]
    public async Task A_branch_that_adds_edits_and_deletes_is_planned_as_the_loop_then_plans_it_after_the_merge()
    {
        var doneTopic = _kafka.Broker.CreateUniqueTopic("pr-done", 2);
        _remote.HumanCommit("three restores", new Dictionary<string, string?>
        {
            ["restores/done.yaml"] = Restore("done", doneTopic),
            ["restores/edited.yaml"] = Restore("edited", "edited-a", "\n  suspend: true"),
            ["restores/gone.yaml"] = Restore("gone", "gone-a", "\n  suspend: true"),
        });
        var options = LoopDaemon.Options(_remote);
        await using (var daemon = new LoopDaemon(options))
        {
            Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
            Assert.Equal(ResourcePhase.Completed, daemon.Record("done").Phase);
        }

        // The pull request, branched from main as the daemon left it (status files committed).
        Human("pull", "-q", "--rebase", "origin", _remote.Branch);
        Human("checkout", "-q", "-b", "pr");
        File.WriteAllText(Path.Combine(_remote.HumanPath, "restores/added.yaml"), Restore("added", _kafka.Broker.CreateUniqueTopic("pr-added", 2)));
        File.WriteAllText(Path.Combine(_remote.HumanPath, "restores/edited.yaml"), Restore("edited", "edited-b", "\n  suspend: true"));
        File.WriteAllText(Path.Combine(_remote.HumanPath, "restores/done.yaml"), Restore("done", "done-elsewhere"));
        File.Delete(Path.Combine(_remote.HumanPath, "restores/gone.yaml"));
        Human("add", "-A");
        Human("commit", "-q", "-m", "add, edit and delete");

        ProposedPlan proposed;
        using (var local = GitSource.OpenLocal(_remote.HumanPath, options))
        {
            var main = local.Resolve("origin/" + _remote.Branch)!;
            proposed = ProposedPlan.Compute(local, new DesiredStateLoader(local, options.HostPolicy), options, main, main, local.Resolve("pr")!, DateTimeOffset.UtcNow);
        }
        Assert.Empty(proposed.Problems);
        Assert.Equal(3, proposed.Records.Count);
        string[] expected =
        [
            "Create KafkaRestore kafka-backup/added", "Start KafkaRestore kafka-backup/added",
            "KeepCompleted KafkaRestore kafka-backup/done",
            "NewGeneration KafkaRestore kafka-backup/edited", "Suspended KafkaRestore kafka-backup/edited",
            "Remove KafkaRestore kafka-backup/gone",
        ];
        Assert.Equal(expected, proposed.Actions.Select(a => $"{a.Kind} {a.Id.Kind} {a.Id.ShortName}"));

        // Merged: the daemon, restarted on its own state, plans exactly that in its next cycle.
        Human("checkout", "-q", _remote.Branch);
        Human("merge", "-q", "--ff-only", "pr");
        Human("push", "-q", "origin", _remote.Branch);
        await using var after = new LoopDaemon(options);
        var cycle = await after.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Null(cycle.Error);
        Assert.Equal(proposed.Actions.Select(a => a.ToString()), cycle.Actions.Select(a => a.ToString()));
    }

    [Fact]
    public void A_status_whose_source_revision_is_missing_from_the_clone_is_reported_not_guessed()
    {
        var first = _remote.HumanCommit("one restore", new Dictionary<string, string?> { ["restores/r.yaml"] = Restore("r", "t") });
        var status = $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata:
              name: r
              namespace: kafka-backup
            status:
              phase: Completed
              observedGeneration: 1
              sourceRevision: {new string('a', 40)}
              attempts: 1

            """;
        var withStatus = _remote.HumanCommit("status", new Dictionary<string, string?>
        {
            ["status/kafkarestore/kafka-backup/r.yaml"] = status,
            ["status/kafkarestore/kafka-backup/broken.yaml"] = "not: [a status",
            ["status/kafkarestore/kafka-backup/ghost.yaml"] = status.Replace("name: r", "name: ghost", StringComparison.Ordinal)
                .Replace(new string('a', 40), first, StringComparison.Ordinal),
        });
        var options = LoopDaemon.Options(_remote);
        using var local = GitSource.OpenLocal(_remote.HumanPath, options);
        var plan = ProposedPlan.Compute(local, new DesiredStateLoader(local, options.HostPolicy), options, withStatus, withStatus, withStatus, DateTimeOffset.UtcNow);
        Assert.Contains(plan.Problems, p => p.StartsWith("status/kafkarestore/kafka-backup/r.yaml: status.sourceRevision aaaaaaaaaaaa", StringComparison.Ordinal)
            && p.Contains("fetch-depth: 0", StringComparison.Ordinal));
        Assert.Contains(plan.Problems, p => p.StartsWith("status/kafkarestore/kafka-backup/broken.yaml: not valid YAML", StringComparison.Ordinal));
        Assert.Contains(plan.Problems, p => p.StartsWith($"status/kafkarestore/kafka-backup/ghost.yaml: KafkaRestore kafka-backup/ghost is defined neither at its status.sourceRevision {first[..12]}", StringComparison.Ordinal));

        // Positive control: the same file naming a commit the clone has is rebuilt into a Completed record.
        var good = _remote.HumanCommit("status at a known commit", new Dictionary<string, string?>
        {
            ["status/kafkarestore/kafka-backup/r.yaml"] = status.Replace(new string('a', 40), first, StringComparison.Ordinal),
            ["status/kafkarestore/kafka-backup/broken.yaml"] = null,
            ["status/kafkarestore/kafka-backup/ghost.yaml"] = null,
        });
        using var again = GitSource.OpenLocal(_remote.HumanPath, options);
        var replanned = ProposedPlan.Compute(again, new DesiredStateLoader(again, options.HostPolicy), options, good, good, good, DateTimeOffset.UtcNow);
        Assert.Empty(replanned.Problems);
        Assert.Equal(PlanActionKind.Unchanged, Assert.Single(replanned.Actions).Kind);
        Assert.Equal(new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", "r"), replanned.Records.Single().Id);
    }

    [Fact]
    public void A_status_that_says_running_is_planned_as_running_in_the_daemon_so_an_edit_waits_and_a_deletion_cancels()
    {
        var first = _remote.HumanCommit("two restores", new Dictionary<string, string?>
        {
            ["restores/edited.yaml"] = Restore("edited", "t1"),
            ["restores/deleted.yaml"] = Restore("deleted", "t1"),
        });
        string Running(string name) => $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata:
              name: {name}
              namespace: kafka-backup
            status:
              phase: Running
              observedGeneration: 1
              sourceRevision: {first}
              attempts: 1

            """;
        var main = _remote.HumanCommit("status: both running", new Dictionary<string, string?>
        {
            ["status/kafkarestore/kafka-backup/edited.yaml"] = Running("edited"),
            ["status/kafkarestore/kafka-backup/deleted.yaml"] = Running("deleted"),
        });
        var proposed = _remote.HumanCommit("edit one, delete the other", new Dictionary<string, string?>
        {
            ["restores/edited.yaml"] = Restore("edited", "t2"),
            ["restores/deleted.yaml"] = null,
        });
        var options = LoopDaemon.Options(_remote);
        using var local = GitSource.OpenLocal(_remote.HumanPath, options);
        var plan = ProposedPlan.Compute(local, new DesiredStateLoader(local, options.HostPolicy), options, main, main, proposed, DateTimeOffset.UtcNow);

        Assert.Empty(plan.Problems);
        Assert.Equal(["Cancel KafkaRestore kafka-backup/deleted", "DeferChange KafkaRestore kafka-backup/edited", "Unchanged KafkaRestore kafka-backup/edited"],
            plan.Actions.Select(a => $"{a.Kind} {a.Id}"));
        // Positive control: the base itself plans no change for either.
        var unchanged = ProposedPlan.Compute(local, new DesiredStateLoader(local, options.HostPolicy), options, main, main, main, DateTimeOffset.UtcNow);
        Assert.All(unchanged.Actions, a => Assert.Equal(PlanActionKind.Unchanged, a.Kind));
    }
}
