using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Reconciler.Status;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace KafkaRestored.Reconciler.Tests.Status;

/// <summary>
/// StatusPublisherTests, continued: what the publisher writes and names when only part of the store changed, which files under status/ it may remove,
/// and how often and how patiently it pushes to a remote that refuses (found by mutation testing: each test kills
/// mutants of StatusPublisher that the other status tests let live, see docs/TESTING.md).
/// </summary>
public sealed partial class StatusPublisherTests
{
    /// <summary><see cref="Restore"/> with <paramref name="done"/> of 1,000 records in its progress.</summary>
    private static ResourceRecord WithProgress(string name, ResourcePhase phase, long done = 0)
    {
        var record = Restore(name, phase);
        return record with { Status = (KafkaRestoreStatus)record.Status with { Progress = new RestoreProgress(done, 1000, 0, 0, ValueList<TopicProgress>.Empty) } };
    }

    private string LastSubject() => _remote.RemoteGit("log", "-1", "--format=%s", "main").Trim();

    private string RemoteFile(string path) => _remote.RemoteGit("show", "main:" + path);

    [Fact]
    public async Task Only_changed_resources_are_named_and_a_throttled_record_keeps_its_published_status_in_git()
    {
        await _git.FetchAsync(CancellationToken.None);
        var first = WithProgress("a", ResourcePhase.Running, 100);
        _store.Save([first, WithProgress("b", ResourcePhase.Running)]);
        Assert.Equal(PublishOutcome.Pushed, await _publisher.PublishAsync(CancellationToken.None));
        var before = RemoteFile("status/kafkarestore/kafka-backup/a.yaml");
        Assert.Contains("recordsDone: 100", before);

        // a's live progress moved but is not due yet (its published status stays); b failed.
        _store.Save([
            WithProgress("a", ResourcePhase.Running, 900) with { PublishedStatus = first.Status, PublishedAt = T0 },
            WithProgress("b", ResourcePhase.Failed),
        ]);
        Assert.Equal(PublishOutcome.Pushed, await _publisher.PublishAsync(CancellationToken.None));

        Assert.Equal("kafka-backup/b: Running -> Failed (Failed)", LastSubject());
        Assert.Equal(before, RemoteFile("status/kafkarestore/kafka-backup/a.yaml"));
        Assert.DoesNotContain("recordsDone: 900", _remote.RemoteGit("log", "-p", "--all"));
        Assert.Equal("b", _remote.RemoteGit("log", "-1", "--format=%(trailers:key=Resource,valueonly)", "main").Trim().Split('/')[^1]);
    }

    [Fact]
    public async Task Only_status_files_of_known_kinds_without_a_record_are_removed_and_every_other_file_under_status_stays()
    {
        await _git.FetchAsync(CancellationToken.None);
        _remote.HumanCommit("human: files under status/", new Dictionary<string, string?>
        {
            ["status/kafkarestore/kafka-backup/ghost.yaml"] = "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nstatus:\n  phase: Running\n",
            ["status/kafkarestore/kafka-backup/notes.txt"] = "kept: not a status file\n",
            ["status/kafkarestore/kafka-backup/deeper/x.yaml"] = "kept: one folder too deep\n",
            ["status/README.md"] = "kept: not under a kind\n",
            ["status/somethingelse/kafka-backup/y.yaml"] = "kept: no such kind\n",
        });
        await _git.FetchAsync(CancellationToken.None);
        _store.Save(WithProgress("a", ResourcePhase.Running));

        Assert.Equal(PublishOutcome.Pushed, await _publisher.PublishAsync(CancellationToken.None));

        var subject = LastSubject();
        Assert.StartsWith("status: 2 resources (kafka-backup/a: Running (new", subject);
        Assert.EndsWith(", kafka-backup/ghost: Running -> deleted, status removed)", subject);
        var files = _remote.RemoteGit("ls-tree", "-r", "--name-only", "main", "status/").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([
            "status/README.md",
            "status/kafkarestore/kafka-backup/a.yaml",
            "status/kafkarestore/kafka-backup/deeper/x.yaml",
            "status/kafkarestore/kafka-backup/notes.txt",
            "status/somethingelse/kafka-backup/y.yaml",
        ], files);
    }

    [Fact]
    public async Task A_snapshot_is_named_in_the_commit_that_adds_it_only()
    {
        await _git.FetchAsync(CancellationToken.None);
        _store.Save(WithProgress("a", ResourcePhase.Running));
        _store.SaveSnapshot(new OffsetSnapshot("pre-a", T0, new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", "a"),
            ["127.0.0.1:9092"], ["orders"], ["orders-app"], [("orders-app", "orders", 0, 4L)]));
        Assert.Equal(PublishOutcome.Pushed, await _publisher.PublishAsync(CancellationToken.None));
        Assert.Contains("Offset snapshot pre-a recorded", _remote.RemoteGit("log", "-1", "--format=%B", "main"));

        _store.Save(WithProgress("a", ResourcePhase.Failed));
        Assert.Equal(PublishOutcome.Pushed, await _publisher.PublishAsync(CancellationToken.None));
        Assert.Equal("kafka-backup/a: Running -> Failed (Failed)", LastSubject());
        Assert.DoesNotContain("snapshot", _remote.RemoteGit("log", "-1", "--format=%B", "main"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_refusing_remote_gets_exactly_PushAttempts_pushes_each_after_a_jittered_doubling_wait()
    {
        // A pre-receive hook refuses every push, as a protected branch does.
        var hook = Path.Combine(_remote.BarePath, "hooks", "pre-receive");
        await System.IO.File.WriteAllTextAsync(hook, "#!/bin/sh\necho 'refused by policy' >&2\nexit 1\n");
        if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _options.PushAttempts = 3;
        _options.PushRetryDelay = TimeSpan.FromSeconds(100);
        var time = new FakeTimeProvider(T0);
        var publisher = new StatusPublisher(_options, _git, _store, time);
        await _git.FetchAsync(CancellationToken.None);
        _store.Save(WithProgress("a", ResourcePhase.Running));

        var publishing = publisher.PublishAsync(CancellationToken.None);
        await Until(() => publisher.Counters.PushRejections == 1 || publishing.IsCompleted);
        // The first wait is 100 s jittered to [50 s, 150 s): nothing is pushed before 50 s of (fake) time pass.
        await Task.Delay(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(49.9));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(publishing.IsCompleted, "the publisher gave up or pushed again without waiting");
        Assert.Equal(1, publisher.Counters.PushRejections);
        time.Advance(TimeSpan.FromSeconds(100.2));
        await Until(() => publisher.Counters.PushRejections == 2 || publishing.IsCompleted);
        Assert.Equal(2, publisher.Counters.PushRejections);

        // The second wait doubles: [100 s, 300 s).
        await Task.Delay(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(99.9));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(2, publisher.Counters.PushRejections);
        time.Advance(TimeSpan.FromSeconds(200.2));

        // The third refusal is the last: the publisher reports and leaves the retry to the next cycle, without a fourth push.
        var outcome = await publishing.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(PublishOutcome.Failed, outcome);
        Assert.Equal(3, publisher.Counters.PushRejections);
        Assert.Contains("refused 3 times in a row", publisher.Counters.LastPushError);
        Assert.Equal(["initial commit"], _remote.RemoteGit("log", "--format=%s", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20);
    }
}
