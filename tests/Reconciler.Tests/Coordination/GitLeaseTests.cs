using KafkaRestored.Reconciler.Coordination;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace KafkaRestored.Reconciler.Tests.Coordination;

/// <summary>
/// <see cref="GitLease"/> on a real bare repository: one daemon holds the lease, another stays passive until it has seen the
/// tip unchanged for the duration on its own clock (a fake one here, so "unchanged for 120 s" takes no time), a release is
/// taken at once, two daemons racing for one tip leave exactly one holder, and every update of the remote's lease ref is a
/// fast-forward (the remote keeps a reflog).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class GitLeaseTests : IDisposable
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(120);
    private readonly GitRemote _remote = new();
    private readonly List<GitLease> _leases = [];

    public void Dispose()
    {
        foreach (var lease in _leases) lease.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _remote.Dispose();
    }

    private (GitLease Lease, FakeTimeProvider Clock, ListLogger Log) Daemon(string name, string leaseRef = GitLease.DefaultRef)
    {
        var options = new ReconcilerOptions { RepositoryUrl = _remote.BarePath, Branch = _remote.Branch, StateDirectory = _remote.Scratch("state-" + name) };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var log = new ListLogger();
        var lease = new GitLease(options, leaseRef, Duration, name, clock, log);
        _leases.Add(lease);
        return (lease, clock, log);
    }

    private string? Tip() => ProcessRunner.Run("git", ["rev-parse", "--verify", "-q", GitLease.DefaultRef], _remote.BarePath) is { ExitCode: 0 } r ? r.StdOut.Trim() : null;

    /// <summary>(Holder, Lease-Duration) of each commit of the lease ref, newest first.</summary>
    private List<(string Holder, string Duration)> Chain() =>
        [.. _remote.RemoteGit("log", "--format=%(trailers:key=Holder,valueonly,separator=)%x1f%(trailers:key=Lease-Duration,valueonly,separator=)%x1e", GitLease.DefaultRef)
            .Split('\u001e', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.Split('\u001f')).Select(f => (f[0].Trim(), f[1].Trim()))];

    /// <summary>Every update the remote's reflog of the lease ref records starts where the previous ended and moves it forward.</summary>
    private int AssertFastForwardOnly()
    {
        var (last, updates) = _remote.FastForwardOnlyUpdates(GitLease.DefaultRef);
        Assert.Equal(Tip(), last);
        return updates;
    }

    [Fact]
    public async Task A_second_daemon_stays_passive_until_it_has_seen_the_lease_unrenewed_for_the_duration_on_its_own_clock()
    {
        var (a, clockA, _) = Daemon("node-a");
        var (b, clockB, logB) = Daemon("node-b");

        Assert.True(await a.ConfirmAsync(CancellationToken.None));
        Assert.Equal("leader", a.State.Role);
        Assert.False(a.AcquiredFromAnother);
        Assert.False(await b.ConfirmAsync(CancellationToken.None));
        Assert.Equal("member", b.State.Role);
        var passive = Assert.Single(logB.Lines, l => l.StartsWith("Another daemon holds the lease", StringComparison.Ordinal));
        Assert.Matches($@"^Another daemon holds the lease refs/kafka-restored/lease on {System.Text.RegularExpressions.Regex.Escape(_remote.BarePath)}: node-a [0-9a-f]{{8}}, renewed \d+ s ago; " +
            @"staying passive until it is gone \(or set CoordinationBootstrapServers to run several daemons as one\)$", passive);

        // A renews within the duration (its own clock), so B keeps seeing a new tip and never takes over.
        for (var i = 0; i < 4; i++)
        {
            clockA.Advance(Duration / 3);
            clockB.Advance(Duration / 3);
            Assert.True(await a.ConfirmAsync(CancellationToken.None));
            Assert.False(await b.ConfirmAsync(CancellationToken.None));
        }
        Assert.Single(logB.Lines, l => l.StartsWith("Another daemon holds the lease", StringComparison.Ordinal));

        // A stops renewing. B has seen the present tip for a second short of the duration: not yet.
        var tip = Tip();
        clockB.Advance(Duration - TimeSpan.FromSeconds(1));
        Assert.False(await b.ConfirmAsync(CancellationToken.None));
        Assert.Equal(tip, Tip());
        clockB.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await b.ConfirmAsync(CancellationToken.None));
        Assert.Equal("leader", b.State.Role);
        Assert.True(b.AcquiredFromAnother, "taken from node-a: node-a's committed status must be taken over");
        Assert.StartsWith("node-b ", Chain()[0].Holder, StringComparison.Ordinal);

        // A wakes (its last renewal is older than the duration): it looks before it acts, and stands down.
        clockA.Advance(Duration + TimeSpan.FromSeconds(1));
        Assert.False(await a.ConfirmAsync(CancellationToken.None));
        Assert.Equal("member", a.State.Role);
        Assert.Equal(2, a.State.Changes);
        Assert.StartsWith("node-b ", Chain()[0].Holder, StringComparison.Ordinal);
        Assert.Equal(Chain().Count, AssertFastForwardOnly());
    }

    [Fact]
    public async Task Renewals_and_the_release_form_one_fast_forward_chain_and_a_release_is_taken_at_once()
    {
        var (a, clockA, logA) = Daemon("node-a");
        var (b, _, _) = Daemon("node-b");
        Assert.True(await a.ConfirmAsync(CancellationToken.None));
        // Within a third of the duration a confirmation asks nobody: no new commit.
        clockA.Advance(Duration / 4);
        Assert.True(await a.ConfirmAsync(CancellationToken.None));
        Assert.Single(Chain());
        for (var i = 0; i < 3; i++)
        {
            clockA.Advance(Duration / 3);
            Assert.True(await a.ConfirmAsync(CancellationToken.None));
        }
        Assert.Equal(4, Chain().Count);
        Assert.False(await b.ConfirmAsync(CancellationToken.None));

        await a.DisposeAsync();
        Assert.Contains(logA.Lines, l => l.StartsWith("Released the lease refs/kafka-restored/lease", StringComparison.Ordinal));
        var chain = Chain();
        Assert.Equal(5, chain.Count);
        Assert.Equal("0", chain[0].Duration);
        Assert.All(chain.Skip(1), c => Assert.Equal("120", c.Duration));
        Assert.All(chain, c => Assert.Equal(chain[0].Holder, c.Holder));
        Assert.False(await a.ConfirmAsync(CancellationToken.None));

        // Released: B takes it without waiting (its clock never moved).
        Assert.True(await b.ConfirmAsync(CancellationToken.None));
        Assert.True(b.AcquiredFromAnother);
        Assert.Equal(6, Chain().Count);
        Assert.Equal(6, AssertFastForwardOnly());
        // One line of history: no merges, every commit on the first-parent chain, each with the empty tree.
        Assert.Equal("0", _remote.RemoteGit("rev-list", "--count", "--merges", GitLease.DefaultRef).Trim());
        Assert.Equal("6", _remote.RemoteGit("rev-list", "--count", "--first-parent", GitLease.DefaultRef).Trim());
        Assert.Equal("4b825dc642cb6eb9a060e54bf8d69288fbee4904", _remote.RemoteGit("log", "-1", "--format=%T", GitLease.DefaultRef).Trim());
    }

    [Fact]
    public async Task A_restarted_daemon_on_the_same_state_directory_is_the_same_holder_and_resumes_at_once()
    {
        var options = new ReconcilerOptions { RepositoryUrl = _remote.BarePath, Branch = _remote.Branch, StateDirectory = _remote.Scratch("state-a") };
        var first = new GitLease(options, GitLease.DefaultRef, Duration, "node-a", new FakeTimeProvider(), new ListLogger());
        _leases.Add(first);
        Assert.True(await first.ConfirmAsync(CancellationToken.None));
        var holder = first.Holder;
        // A crash: no release. The next start on the same directory is the same holder.
        var again = new GitLease(options, GitLease.DefaultRef, Duration, "node-a", new FakeTimeProvider(), new ListLogger());
        _leases.Add(again);
        Assert.Equal(holder, again.Holder);
        Assert.True(await again.ConfirmAsync(CancellationToken.None));
        Assert.Contains("before a restart", again.State.Reason, StringComparison.Ordinal);
        Assert.False(again.AcquiredFromAnother, "its own lease: its own store stays authoritative");

        // The same instance id on another state directory is another daemon.
        var (other, _, _) = Daemon("node-a");
        Assert.NotEqual(holder, other.Holder);
        Assert.False(await other.ConfirmAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_daemons_racing_for_one_tip_leave_exactly_one_holder(bool released)
    {
        if (released)
        {
            var (first, _, _) = Daemon("node-0");
            Assert.True(await first.ConfirmAsync(CancellationToken.None));
            await first.DisposeAsync();
        }
        var (a, _, _) = Daemon("node-a");
        var (b, _, _) = Daemon("node-b");
        // Both have fetched the same tip (none, or the released one) before either sends its push.
        using var both = new CountdownEvent(2);
        void Meet(ref int calls)
        {
            if (Interlocked.Increment(ref calls) != 1) return;
            both.Signal();
            Assert.True(both.Wait(TimeSpan.FromSeconds(30)), "the other daemon never pushed");
        }
        int callsA = 0, callsB = 0;
        a.BeforePushSend = () => Meet(ref callsA);
        b.BeforePushSend = () => Meet(ref callsB);

        var answers = await Task.WhenAll(Task.Run(() => a.ConfirmAsync(CancellationToken.None)), Task.Run(() => b.ConfirmAsync(CancellationToken.None)));

        Assert.Equal(1, answers.Count(x => x));
        var winner = answers[0] ? a : b;
        var loser = answers[0] ? b : a;
        Assert.Equal(winner.Holder, Chain()[0].Holder);
        Assert.Equal("member", loser.State.Role);
        Assert.Contains(winner.Holder, loser.State.Reason, StringComparison.Ordinal);
        Assert.Equal(released ? 3 : 1, Chain().Count);
        AssertFastForwardOnly();
        // The loser asks again: still the other's.
        Assert.False(await loser.ConfirmAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_unreachable_remote_is_a_failed_fetch_and_a_holder_acts_on_a_recent_renewal_only_up_to_two_thirds_of_the_duration()
    {
        var (a, clockA, _) = Daemon("node-a");
        var (b, _, _) = Daemon("node-b");
        Assert.True(await a.ConfirmAsync(CancellationToken.None));
        var away = _remote.BarePath + ".away";
        Directory.Move(_remote.BarePath, away);
        try
        {
            // Never held: the loop gets the fetch failure to report.
            var e = await Assert.ThrowsAsync<GitSourceException>(() => b.ConfirmAsync(CancellationToken.None));
            Assert.Equal("FetchFailed", e.Reason);
            // Renewed half the duration ago: nobody may have taken over yet.
            clockA.Advance(Duration / 2);
            Assert.True(await a.ConfirmAsync(CancellationToken.None));
            clockA.Advance(Duration / 4);
            await Assert.ThrowsAsync<GitSourceException>(() => a.ConfirmAsync(CancellationToken.None));
            Assert.Equal("member", a.State.Role);
        }
        finally
        {
            Directory.Move(away, _remote.BarePath);
        }
        Assert.True(await a.ConfirmAsync(CancellationToken.None));
        Assert.Equal("leader", a.State.Role);
    }

    [Fact]
    public async Task A_host_that_refuses_the_lease_ref_leaves_the_daemon_passive_with_an_error_naming_the_ref_and_the_setting()
    {
        var hook = Path.Combine(_remote.BarePath, "hooks", "pre-receive");
        File.WriteAllText(hook, "#!/bin/sh\nwhile read old new ref; do case \"$ref\" in refs/kafka-restored/*) echo \"custom refs are not allowed\" >&2; exit 1;; esac; done\nexit 0\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var (a, _, log) = Daemon("node-a");

        Assert.False(await a.ConfirmAsync(CancellationToken.None));
        Assert.False(await a.ConfirmAsync(CancellationToken.None));

        Assert.Equal("member", a.State.Role);
        Assert.Null(Tip());
        var error = Assert.Single(log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error).Message;
        Assert.StartsWith("The Git host refused the lease ref refs/kafka-restored/lease on ", error, StringComparison.Ordinal);
        Assert.Contains("set Lease to false", error, StringComparison.Ordinal);
        Assert.Contains("stays passive", error, StringComparison.Ordinal);
        // Positive control: the same daemon, the hook gone, takes the lease.
        File.Delete(hook);
        Assert.True(await a.ConfirmAsync(CancellationToken.None));
    }
}
