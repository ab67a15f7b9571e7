using System.Globalization;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Kafka;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Resources.Validation;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Workflows;

/// <summary>
/// One KafkaRestoreDrill run: checksums of the backup, a restore into the scratch topics with the
/// restore engine (timed), the scratch topics read back with the drill's own consumer and compared
/// per partition, the objectives checked, the scratch topics this run created deleted. The daemon's
/// runner and <c>drill -f</c> both run it. docs/resources.md#kafkarestoredrill describes the steps.
/// </summary>
/// <param name="environment">Secrets, a restore state store with a key of this drill's own (cleared before and after the run), logger, clock, tuning and policy.</param>
/// <param name="scratchLedger">The scratch topics this drill wrote into in earlier runs (kept under a key that outlives the run).</param>
public sealed class KafkaRestoreDrillWorkflow(RestoreEnvironment environment, DrillScratchLedger scratchLedger)
{
    /// <summary>
    /// The KafkaBackup a spec.backupRef names, as the repository defines it (throws <see cref="FailureReason.BackupRefUnresolved"/>
    /// when it has no usable one); null where there is no repository (<c>drill -f</c>), so a backupRef fails the run.
    /// </summary>
    public Func<BackupRef, KafkaBackup>? ResolveBackupRef { get; init; }

    /// <summary>Runs the drill; failures a user or the infrastructure can cause are in the result, never thrown.</summary>
    public async Task<KafkaRestoreDrillRun> RunAsync(KafkaRestoreDrill drill, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(drill);
        using var atWork = ResourcesAtWork.Enter(drill.Id);
        var report = new DrillRunStatus { StartTime = environment.Time.GetUtcNow(), BackupId = drill.Spec.BackupId };
        // A drill is never resumed: an interrupted one runs again from the start, so its read-back starts where it noted.
        environment.State.DeleteRun(environment.RestoreKey);
        try
        {
            var (backupId, storage) = await DrillBackupSource.ResolveAsync(drill, ResolveBackupRef, environment.Policy, environment.Secrets, ct);
            // Set before anything else can fail, so a failed run's report names the backup it tried too.
            report = report with { BackupId = backupId };
            return await RunStepsAsync(drill, storage, report, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Finish(report with { Result = "Cancelled", Reason = "Cancelled", Message = "drill cancelled before it finished" }, null, cancelled: true);
        }
        catch (Exception e) when (RestoreFailures.Classify(e) is { } failure)
        {
            return Failed(report, failure.Reason, failure.Message);
        }
        finally
        {
            environment.State.DeleteRun(environment.RestoreKey);
        }
    }

    private async Task<KafkaRestoreDrillRun> RunStepsAsync(KafkaRestoreDrill drill, StorageSpec storageSpec, DrillRunStatus report, CancellationToken ct)
    {
        var spec = drill.Spec;
        var backupId = report.BackupId!;
        var storage = BackupStorageFactory.Create(storageSpec, environment.Secrets);
        var manifest = await BackupManifestStore.ReadAsync(storage, backupId, ct);
        var restoreSpec = RestoreSpecOf(spec, backupId, storageSpec, manifest);
        var plan = RestorePlanner.Plan(manifest, restoreSpec);
        var partitions = plan.Partitions.ToList();
        if (partitions.Count == 0)
            throw new KafkaRestoredException(FailureReason.NoTopics, $"backup '{manifest.BackupId}' holds no partitions of the topics this drill selects; there is nothing to drill. Check spec.topics and {(spec.BackupRef is null ? "spec.backupId" : "the topics of the KafkaBackup spec.backupRef names")}.");
        report = report with { ScratchTopics = new ValueList<string>(plan.Topics.Select(t => t.TargetTopic)) };

        var expected = await ChecksumBackupAsync(storage, partitions, ct);
        var newest = expected.Values.Select(e => e.NewestTimestamp).Max();
        var age = newest is { } ms ? report.StartTime - DateTimeOffset.FromUnixTimeMilliseconds(ms) : (TimeSpan?)null;
        report = report with { DataAgeSeconds = age is { } a ? Math.Round(a.TotalSeconds, 3) : null };

        var client = KafkaClientConfig.For(spec.TargetCluster, environment.Secrets);
        using var scratch = new DrillScratchCluster(client, KafkaClientConfig.BootstrapList(spec.TargetCluster), environment.Tuning.ConnectTimeout);
        var existing = scratch.ExistingTopics();
        var keys = partitions.Select(p => (p.TargetTopic, p.Partition)).ToList();
        var before = scratch.EndOffsets(keys, existing);
        var ours = scratchLedger.Load();
        RefuseTopicsInUse(before, existing, ours, KafkaClientConfig.BootstrapList(spec.TargetCluster));
        // Noted before the engine writes, so a crash leaves topics the next run recognises as its own leftovers.
        scratchLedger.Note(plan.Topics.Select(t => t.TargetTopic).Distinct(StringComparer.Ordinal).Where(t => !ours.ContainsKey(t))
            .Select(t => (t, !existing.Contains(t))).ToList(), environment.Time.GetUtcNow());
        RestoreResult? restored = null;
        try
        {
            var started = environment.Time.GetTimestamp();
            restored = await RestoreEngine.RunAsync(restoreSpec, drill.Metadata.Namespace, environment, null, storage, ct);
            report = report with { RestoreSeconds = Math.Round(environment.Time.GetElapsedTime(started).TotalSeconds, 3) };
            if (restored.Outcome == RestoreOutcome.Cancelled) throw new OperationCanceledException(ct);
            if (restored.Outcome == RestoreOutcome.Completed)
                report = Compare(report, partitions, expected, await Task.Run(() => scratch.ReadBack(before, ct), ct));
        }
        finally
        {
            // Cleanup never changes the result, and runs however the restore ended; only topics a run of this drill brought into being are deleted.
            var now = scratch.ExistingTopics();
            var created = scratchLedger.Load().Where(e => e.Value && now.Contains(e.Key)).Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
            report = report with { Cleanup = await scratch.DeleteAsync(created, CancellationToken.None) };
            scratchLedger.Keep(scratch.ExistingTopics(), environment.Time.GetUtcNow());
            foreach (var sum in expected.Values) sum.Dispose();
        }
        if (restored.Outcome == RestoreOutcome.Failed)
            return Failed(report with { RestoreSeconds = null }, restored.Failure!, $"the restore into the scratch topics failed: {restored.Message}");
        return Judge(report, spec.Objectives, age, partitions.Count);
    }

    /// <summary>
    /// A drill writes only into scratch topics it creates, empty ones made for it, or its own leftovers: a scratch
    /// topic holding records no run of this drill wrote may be someone's data, so the drill stops before writing.
    /// </summary>
    private static void RefuseTopicsInUse(Dictionary<(string Topic, int Partition), long> ends, HashSet<string> existing,
        IReadOnlyDictionary<string, bool> ours, string bootstrap)
    {
        var inUse = ends.Where(e => e.Value > 0 && existing.Contains(e.Key.Topic) && !ours.ContainsKey(e.Key.Topic))
            .OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition).ToList();
        if (inUse.Count == 0) return;
        var topics = inUse.Select(e => e.Key.Topic).Distinct(StringComparer.Ordinal).ToList();
        var first = inUse[0];
        throw new KafkaRestoredException(FailureReason.ScratchTopicInUse,
            $"scratch {(topics.Count == 1 ? "topic" : "topics")} {string.Join(", ", topics)} on {bootstrap} already {(topics.Count == 1 ? "holds" : "hold")} records that no run of this drill wrote " +
            $"({first.Key.Topic}[{first.Key.Partition}] ends at offset {first.Value}); nothing was written. A drill writes only into scratch topics it creates, empty ones made for it, " +
            "or its own leftovers. Set spec.topicPrefix to a prefix no topic uses, or delete the topic if it is a leftover of this drill whose state was lost.");
    }

    /// <summary>The KafkaRestore spec the engine runs: every selected topic T mapped to the scratch topic prefix+T, never anywhere else.</summary>
    private static KafkaRestoreSpec RestoreSpecOf(KafkaRestoreDrillSpec spec, string backupId, StorageSpec storage, BackupManifest manifest)
    {
        var sources = spec.Topics?.ToList() ?? [.. manifest.Topics.Select(t => t.Name).Distinct(StringComparer.Ordinal)];
        var mapping = new ValueMap(sources.Select(t => KeyValuePair.Create(t, spec.ScratchTopic(t))));
        return new KafkaRestoreSpec(backupId, spec.TargetCluster, storage, spec.Topics, mapping, null, false, null, null,
            null, JobSpec.Default, null, OnExistingData.Append);
    }

    /// <summary>Count, checksum and newest timestamp of every selected partition, from the backup's segments (a corrupt one fails the drill naming it).</summary>
    private static async Task<Dictionary<(string Topic, int Partition), DrillChecksum>> ChecksumBackupAsync(IBackupStorage storage,
        List<PartitionPlan> partitions, CancellationToken ct)
    {
        var result = new Dictionary<(string, int), DrillChecksum>();
        foreach (var p in partitions)
        {
            var sum = new DrillChecksum();
            result[(p.TargetTopic, p.Partition)] = sum;
            foreach (var segment in p.Segments)
            {
                await foreach (var r in SegmentReader.ReadAsync(storage, segment.Key, ct))
                    sum.Add(r.Timestamp, r.Key, r.Value, r.Headers.Select(h => (h.Key, h.Value)));
            }
        }
        return result;
    }

    private static DrillRunStatus Compare(DrillRunStatus report, List<PartitionPlan> partitions,
        Dictionary<(string Topic, int Partition), DrillChecksum> expected, Dictionary<(string Topic, int Partition), DrillChecksum> actual)
    {
        var verified = 0L;
        var bad = new List<string>();
        foreach (var p in partitions)
        {
            var key = (p.TargetTopic, p.Partition);
            using var read = actual[key];
            var want = expected[key];
            if (read.Count == want.Count && read.Hex == want.Hex)
            {
                verified += read.Count;
                continue;
            }
            bad.Add($"{p.TargetTopic}[{p.Partition}] (from {p.SourceTopic}[{p.Partition}]): read back {Plural.Of(read.Count, "record")}, checksum {read.Hex[..16]}; the backup holds {want.Count}, checksum {want.Hex[..16]}");
        }
        return report with { RecordsVerified = verified, Mismatches = bad.Count, MismatchedPartitions = new ValueList<string>(bad) };
    }

    /// <summary>The verdict: mismatches first, then rto, then rpo; every number in the message.</summary>
    private KafkaRestoreDrillRun Judge(DrillRunStatus report, DrillObjectives objectives, TimeSpan? age, int partitionCount)
    {
        var restore = TimeSpan.FromSeconds(report.RestoreSeconds ?? 0);
        bool? rtoMet = objectives.Rto is { } rto ? restore <= rto : null;
        bool? rpoMet = objectives.Rpo is { } rpo && age is { } a ? a <= rpo : null;
        report = report with { RtoMet = rtoMet, RpoMet = rpoMet };
        var measured = $"restore {Seconds(restore)}" + (objectives.Rto is { } r1 ? $" (objectives.rto {Durations.Format(r1)} {(rtoMet == true ? "met" : "MISSED")})" : "") +
            $"; data age {(age is { } a1 ? Durations.Format(TimeSpan.FromSeconds(Math.Round(a1.TotalSeconds))) : "unknown (no records)")}" +
            (objectives.Rpo is { } r2 && rpoMet is not null ? $" (objectives.rpo {Durations.Format(r2)} {(rpoMet == true ? "met" : "MISSED")})" : "");
        if (report.Mismatches > 0)
        {
            return Failed(report, FailureReason.VerificationFailed,
                $"{Plural.Of(report.Mismatches, "scratch partition")} of {partitionCount} {(report.Mismatches == 1 ? "does" : "do")} not hold the backup's records: {string.Join("; ", report.MismatchedPartitions.Take(3))}; {measured}");
        }
        var verified = $"{Plural.Of(report.RecordsVerified, "record", format: "N0")} verified in {Plural.Of(partitionCount, "partition")} (count and checksum)";
        if (rtoMet == false)
            return Failed(report, FailureReason.RtoMissed, $"the restore took {Seconds(restore)}, longer than objectives.rto {Durations.Format(objectives.Rto!.Value)}; {verified}; {measured}");
        if (rpoMet == false)
            return Failed(report, FailureReason.RpoMissed, $"the newest record of backup '{report.BackupId}' is {Durations.Format(TimeSpan.FromSeconds(Math.Round(age!.Value.TotalSeconds)))} old, older than objectives.rpo {Durations.Format(objectives.Rpo!.Value)}; {verified}; {measured}");
        return Finish(report with { Result = "Passed", Reason = KafkaRestoreDrillRun.PassedReason, Message = $"Drill passed: {verified}; {measured}" }, null, cancelled: false);
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    private KafkaRestoreDrillRun Failed(DrillRunStatus report, FailureReason reason, string message) =>
        Finish(report with { Result = "Failed", Reason = reason.Name, Message = message }, reason, cancelled: false);

    private KafkaRestoreDrillRun Finish(DrillRunStatus report, FailureReason? failure, bool cancelled) =>
        new(report with { CompletionTime = environment.Time.GetUtcNow() }, failure, cancelled);
}
