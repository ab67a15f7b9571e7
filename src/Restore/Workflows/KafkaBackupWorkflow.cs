using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Writing;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Scheduling;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Workflows;

/// <summary>
/// One scheduled run of a KafkaBackup: writes the slot's backup (<see cref="KafkaBackupIds"/>) with the backup writer of the
/// <c>backup</c> command, then applies retention. The writer cannot continue a backup (segments are spooled locally and the
/// manifest comes last), so a run of a slot that finds its own incomplete backup (a crash, a daemon stop) deletes it and
/// writes it again from the start; one that finds its own complete backup (a crash after the manifest) keeps it.
/// Data under the id that this resource did not write is never touched.
/// </summary>
public sealed class KafkaBackupWorkflow(SecretStore secrets, TimeProvider time)
{
    /// <summary>Called with the status details at each stage and as records are stored.</summary>
    public Action<KafkaBackupStatus>? Report { get; init; }

    /// <summary>Segment spool folder (default: the system temp folder).</summary>
    public string? TempDirectory { get; init; }

    /// <summary>Runs the slot <paramref name="slot"/> of <paramref name="backup"/>; <paramref name="previous"/> is the status so far (last backup, retention).</summary>
    public async Task<KafkaBackupRun> RunAsync(KafkaBackup backup, DateTimeOffset slot, KafkaBackupStatus previous, CancellationToken ct)
    {
        using var _ = ResourcesAtWork.Enter(backup.Id);
        var id = KafkaBackupIds.For(backup, slot);
        var status = previous with
        {
            LastScheduleTime = slot,
            CurrentBackup = new BackupRunStatus { BackupId = id, ScheduledTime = slot, Stage = "Writing", StartTime = time.GetUtcNow() },
        };
        // The last status reported, so a failure says how far the run got (e.g. that it restarted an incomplete backup).
        var latest = status;
        void Publish(KafkaBackupStatus s)
        {
            latest = s;
            Report?.Invoke(s);
        }
        IBackupStorage? storage = null;
        try
        {
            storage = BackupStorageFactory.Create(backup.Spec.Storage, secrets);
            var (manifest, current) = await WriteAsync(backup, storage, id, slot, status, Publish, ct);
            var stats = BackupStatistics.From(manifest);
            var done = current with
            {
                Stage = "Completed",
                CompletionTime = time.GetUtcNow(),
                Records = stats.Records,
                Bytes = stats.StoredBytes,
                DurationSeconds = Math.Round((time.GetUtcNow() - current.StartTime!.Value).TotalSeconds, 3),
            };
            status = status with { LastBackup = done };
            if (backup.Spec.Retention is { Enabled: true })
            {
                status = status with { CurrentBackup = done with { Stage = "Retention" } };
                Publish(status);
                status = status with { LastRetention = await KafkaBackupRetention.ApplyAsync(backup, storage, time.GetUtcNow(), slot, ct) };
            }
            status = status with { CurrentBackup = null, NextScheduleTime = NextRun(backup, time.GetUtcNow()) };
            return new KafkaBackupRun(status, null, Completed(done, status.LastRetention, storage));
        }
        catch (KafkaRestoredException e)
        {
            return new KafkaBackupRun(latest with { NextScheduleTime = NextRun(backup, time.GetUtcNow()) }, e.Reason,
                $"backup {id} ({latest.CurrentBackup?.Stage.ToLowerInvariant() ?? "retention"}): {e.Message}");
        }
        finally
        {
            (storage as IDisposable)?.Dispose();
        }
    }

    /// <summary>The next slot of <paramref name="backup"/>'s schedule after <paramref name="after"/>.</summary>
    public static DateTimeOffset? NextRun(KafkaBackup backup, DateTimeOffset after) =>
        CronSchedule.TryParse(backup.Spec.Schedule, backup.Spec.TimeZone, out _)?.Next(after);

    /// <summary>Writes the slot's backup (or finds it complete); the manifest and the run's status with what was captured.</summary>
    private async Task<(BackupManifest Manifest, BackupRunStatus Current)> WriteAsync(KafkaBackup backup, IBackupStorage storage, string id, DateTimeOffset slot,
        KafkaBackupStatus status, Action<KafkaBackupStatus> report, CancellationToken ct)
    {
        var owner = new BackupOwner(backup.Kind, backup.Metadata.Namespace, backup.Metadata.Name, id, slot.ToUnixTimeMilliseconds());
        var found = await BackupOwnerStore.TryReadAsync(storage, id, ct);
        var keys = new List<string>();
        await foreach (var key in storage.ListAsync(id + "/", ct)) keys.Add(key);
        if (keys.Count > 0 && (found is null || !KafkaBackupRetention.IsOwner(backup, found)))
        {
            throw new KafkaRestoredException(FailureReason.BackupExists,
                $"{storage.Describe(id + "/")} already holds data that {backup.Id} did not write (no owner file naming it); " +
                "it is left alone: move it away, or give this KafkaBackup another metadata.name or storage location.");
        }
        if (keys.Contains(BackupKeys.Manifest(id)))
        {
            // A crash after the manifest: the backup is complete; writing it again would only change its content.
            return (await BackupManifestStore.ReadAsync(storage, id, ct), status.CurrentBackup!);
        }
        var restarted = keys.Any(k => k != BackupKeys.Owner(id));
        if (restarted) await KafkaBackupRetention.DeleteAsync(storage, id, ct, keepOwner: true);
        if (found is null) await BackupOwnerStore.WriteAsync(storage, owner, ct);
        var current = status.CurrentBackup! with { RestartedIncomplete = restarted };
        report(status with { CurrentBackup = current });

        var spec = backup.Spec;
        var request = new ClusterBackupRequest(spec.KafkaCluster, spec.Topics, id, spec.Compression,
            spec.ConsumerGroupSnapshot is { Enabled: true } g ? g.ConsumerGroups : [])
        {
            SourceClusterId = spec.SourceClusterId,
            WriterOptions = new BackupWriterOptions
            {
                MaxSegmentBytes = spec.SegmentMaxBytes,
                CompressionLevel = spec.CompressionLevel,
                TempDirectory = TempDirectory,
                TimeProvider = time,
            },
            RangesCaptured = ranges =>
            {
                current = current with
                {
                    HighWatermarks = new ValueList<PartitionWatermark>(ranges.OrderBy(r => r.Key.Topic, StringComparer.Ordinal).ThenBy(r => r.Key.Partition)
                        .Select(r => new PartitionWatermark(r.Key.Topic, r.Key.Partition, r.Value.Low, r.Value.High))),
                };
                report(status with { CurrentBackup = current });
            },
        };
        var progress = new Progress(p =>
        {
            current = current with { Records = p.Records, Bytes = p.Bytes };
            report(status with { CurrentBackup = current });
        });
        var manifest = await ClusterBackup.RunAsync(request, storage, secrets, progress, ct);
        return (manifest, current);
    }

    private static string Completed(BackupRunStatus done, RetentionStatus? retention, IBackupStorage storage)
    {
        var text = $"backup {done.BackupId}: {done.Records} record(s), {done.Bytes} byte(s) stored at {storage.Describe(done.BackupId + "/")}" +
            (done.RestartedIncomplete ? " (an incomplete earlier attempt of this slot was deleted and written again)" : "");
        if (retention is null) return text;
        var verb = retention.DryRun ? "would delete" : "deleted";
        return text + $"; retention {verb} {retention.Deleted.Count} and kept {retention.Kept.Count} backup(s)" +
            (retention.Deleted.Count > 0 ? ": " + string.Join(", ", retention.Deleted) : "");
    }

    // Synchronous reporting: Progress<T> would post to the thread pool and could reorder updates.
    private sealed class Progress(Action<BackupProgress> report) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value) => report(value);
    }
}
