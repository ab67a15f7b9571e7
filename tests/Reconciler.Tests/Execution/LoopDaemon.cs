using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>A daemon for the loop tests on real parts: the state store, the clone of the bare remote, and the loop with the real runners.</summary>
internal sealed class LoopDaemon : IAsyncDisposable
{
    public LoopDaemon(ReconcilerOptions options, TimeSpan? connectTimeout = null, IResourceRunner[]? runners = null, RestoreTuning? tuning = null,
        ILogger? logger = null, TimeProvider? time = null)
    {
        Store = StateStore.Open(options.StateDirectory);
        Git = new GitSource(options);
        tuning = (tuning ?? RestoreTuning.Default) with { ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(10) };
        Loop = ReconcileLoop.Create(options, Store, Git,
            runners ?? [new KafkaRestoreRunner { Tuning = tuning }, OffsetRunner.Reset, OffsetRunner.Rollback], time, logger);
    }

    public StateStore Store { get; }

    public GitSource Git { get; }

    public ReconcileLoop Loop { get; }

    public ResourceRecord Record(string name) => Store.Find(new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", name))!;

    public async ValueTask DisposeAsync()
    {
        await Loop.DisposeAsync();
        Git.Dispose();
        Store.Dispose();
    }

    /// <summary>Options for a loop over <paramref name="remote"/>: fast polls and retries, the allow-all test policy.</summary>
    public static ReconcilerOptions Options(GitRemote remote) => new()
    {
        RepositoryUrl = remote.BarePath,
        Branch = remote.Branch,
        StateDirectory = remote.Scratch("state"),
        PollInterval = TimeSpan.FromMilliseconds(50),
        PushRetryDelay = TimeSpan.FromMilliseconds(10),
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        Policy = TestPolicy.AllowAll(),
    };
}
