using System.Diagnostics;
using System.Text;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Distributed;

/// <summary>
/// What the multi-daemon tests read back, as an operator would: a KafkaRestore's phase in its committed status file, its
/// Completed commits, and a restored target compared record by record with the orders backup.
/// </summary>
internal sealed class CommittedStatus(GitRemote remote, string ns)
{
    /// <summary>The status file of restore <paramref name="name"/>.</summary>
    public string PathOf(string name) => $"status/kafkarestore/{ns}/{name}.yaml";

    /// <summary>The committed phase of restore <paramref name="name"/>, or null while it has no status file.</summary>
    public string? Phase(string name)
    {
        var r = ProcessRunner.Run("git", ["-C", remote.BarePath, "show", $"{remote.Branch}:{PathOf(name)}"]);
        return r.ExitCode != 0 ? null : r.StdOut.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("phase: ", StringComparison.Ordinal))?["phase: ".Length..];
    }

    /// <summary>Waits until restore <paramref name="name"/> is committed in <paramref name="phase"/>; fails with <paramref name="output"/> after <paramref name="patience"/>.</summary>
    public async Task WaitForPhaseAsync(string name, string phase, TimeSpan patience, Func<string> output)
    {
        var guard = Stopwatch.StartNew();
        while (Phase(name) != phase)
        {
            if (guard.Elapsed > patience) Xunit.Assert.Fail($"{name} did not reach {phase} (now {Phase(name)}):\n{output()}");
            await Task.Delay(250);
        }
    }

    /// <summary>How many commits of restore <paramref name="name"/>'s status file say it completed.</summary>
    public int CompletedCommits(string name) =>
        remote.RemoteGit("log", "--format=%B%x1e", remote.Branch, "--", PathOf(name)).Split('\u001e')
            .Count(b => b.Contains("Phase: Completed", StringComparison.Ordinal));

    /// <summary>Every record of the orders backup (<paramref name="partitions"/> × <paramref name="perPartition"/>) exactly once, in order, per partition.</summary>
    public static void AssertRestoredOnce(string bootstrap, string target, int partitions, int perPartition)
    {
        var read = RestoreKit.ReadTopic(bootstrap, target, partitions);
        for (var p = 0; p < partitions; p++)
        {
            var values = read.Where(r => r.Partition == p).Select(r => Encoding.UTF8.GetString(r.Value!)).ToList();
            Xunit.Assert.Equal(Enumerable.Range(0, perPartition).Select(i => $"order-{p}-{i}"), values);
        }
    }

    /// <summary>The checkpoints of restore <paramref name="name"/> (generation 1) as the state topic holds them, read as a next leader would.</summary>
    public static IReadOnlyList<KafkaRestored.Restore.Engine.RestoreCheckpoint> SharedCheckpoints(string bootstrap, string stateTopic, TempDir dir, string ns, string name)
    {
        var read = new KafkaRestored.Restore.Engine.FileRestoreStateStore(dir.Combine("state-topic-read-" + Guid.NewGuid().ToString("N")[..8]));
        using (var reader = new KafkaRestored.Reconciler.Coordination.SharedRunState(new Confluent.Kafka.ClientConfig { BootstrapServers = bootstrap },
            stateTopic, TimeSpan.FromSeconds(30), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            reader.Import(read, null, null, CancellationToken.None);
        }
        return read.GetCheckpoints(KafkaRestored.Reconciler.State.LiteDbRestoreStateStore.RestoreKey(
            new KafkaRestored.Restore.Resources.Model.ResourceId(KafkaRestored.Restore.Resources.Model.ResourceKinds.KafkaRestore, ns, name), 1));
    }
}
