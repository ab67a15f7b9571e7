using KafkaRestored.Reconciler.Coordination;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Reconciler.Status;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Status;

/// <summary>
/// Distributed mode, two daemons' publishers on one bare repository: a deposed leader whose confirmation came just before
/// it lost leadership pushes late, on a tip the new leader has moved since. Git refuses it (pushes never force), and
/// the re-push that would follow asks the leadership again and is not made.
/// </summary>
public sealed class DeposedLeaderPushTests : IDisposable
{
    private readonly GitRemote _remote = new();
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var d in Enumerable.Reverse(_owned)) d.Dispose();
        _remote.Dispose();
    }

    /// <summary>Answers the publisher's confirmations from a script: the scripted answer, then the last one for ever.</summary>
    private sealed class ScriptedLeadership(string instance, params bool[] answers) : ILeadership
    {
        private int _asked;

        public string InstanceId { get; } = instance;

        public int Asked => _asked;

        public bool[] Answers { get; set; } = answers;

        public Task<bool> ConfirmAsync(CancellationToken cancellationToken) =>
            Task.FromResult(Answers[Math.Min(Interlocked.Increment(ref _asked) - 1, Answers.Length - 1)]);
    }

    private (StateStore Store, GitSource Git, StatusPublisher Publisher) Member(string name, ILeadership leadership)
    {
        var options = new ReconcilerOptions
        {
            RepositoryUrl = _remote.BarePath,
            Branch = _remote.Branch,
            StateDirectory = _remote.Scratch("state-" + name),
            PushRetryDelay = TimeSpan.FromMilliseconds(10),
        };
        var git = new GitSource(options);
        var store = StateStore.Open(options.StateDirectory);
        _owned.Add(git);
        _owned.Add(store);
        return (store, git, new StatusPublisher(options, git, store, TimeProvider.System, null, leadership));
    }

    private static ResourceRecord Restore(ResourcePhase phase) => new()
    {
        Id = new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", "r1"),
        SpecHash = "h",
        CreatedAt = DateTimeOffset.UnixEpoch,
        Status = new KafkaRestoreStatus { Phase = phase, ObservedGeneration = 1, Attempts = 1 },
    };

    private string[] Trailers() => _remote.RemoteGit("log", "--format=%(trailers:key=Instance,valueonly)%x1e", _remote.Branch)
        .Split('\u001e', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task A_deposed_leaders_late_push_is_refused_as_non_fast_forward_and_not_retried()
    {
        var oldLeadership = new ScriptedLeadership("node-a", true, false);
        var (oldStore, oldGit, oldPublisher) = Member("a", oldLeadership);
        var (newStore, newGit, newPublisher) = Member("b", new ScriptedLeadership("node-b", true));
        await oldGit.FetchAsync(CancellationToken.None);
        await newGit.FetchAsync(CancellationToken.None);
        oldStore.Save(Restore(ResourcePhase.Running));
        newStore.Save(Restore(ResourcePhase.Completed));

        // The new leader publishes first; the old one still builds on the tip it fetched before.
        Assert.Equal(PublishOutcome.Pushed, await newPublisher.PublishAsync(CancellationToken.None));
        var tip = _remote.RemoteGit("rev-parse", _remote.Branch).Trim();
        Assert.Equal(PublishOutcome.Failed, await oldPublisher.PublishAsync(CancellationToken.None));

        Assert.Equal(1, oldPublisher.Counters.PushRejections);
        Assert.Equal(2, oldLeadership.Asked);
        Assert.Contains("node-a no longer leads", oldPublisher.Counters.LastPushError, StringComparison.Ordinal);
        Assert.Equal(tip, _remote.RemoteGit("rev-parse", _remote.Branch).Trim());
        Assert.Equal(["node-b"], Trailers());

        // Positive control: were it still the leader, its re-push on the new tip would land.
        oldLeadership.Answers = [true];
        Assert.Equal(PublishOutcome.Pushed, await oldPublisher.PublishAsync(CancellationToken.None));
        Assert.Equal(["node-a", "node-b"], Trailers());
    }
}
