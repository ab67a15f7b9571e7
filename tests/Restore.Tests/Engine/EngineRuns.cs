using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>Runs the engine on a whole KafkaRestore, as the tests build them: its spec and its namespace.</summary>
internal static class EngineRuns
{
    public static Task<RestoreResult> RunAsync(KafkaRestore restore, RestoreEnvironment env, IProgress<RestoreProgressUpdate>? progress, CancellationToken ct) =>
        RestoreEngine.RunAsync(restore.Spec, restore.Metadata.Namespace, env, progress, ct);

    public static Task<RestoreResult> RunAsync(KafkaRestore restore, RestoreEnvironment env, IProgress<RestoreProgressUpdate>? progress,
        IBackupStorage? storage, CancellationToken ct) =>
        RestoreEngine.RunAsync(restore.Spec, restore.Metadata.Namespace, env, progress, storage, ct);
}
