using System.Security.Cryptography;
using System.Text;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Kafka;
using KafkaRestored.Restore.Provenance;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// Runs one KafkaRestore's spec: plan from the manifest, preflight against the target,
/// write every selected record exactly once and in order (resuming from checkpoints), verify.
/// docs/restore-engine.md explains the exactly-once argument.
/// </summary>
public static class RestoreEngine
{
    /// <summary>
    /// Runs (or resumes) the restore <paramref name="spec"/> describes for a resource in
    /// <paramref name="namespace"/> (the host policy's tenant). Never throws for failures a user or
    /// the infrastructure can cause: those come back as a Failed result with a reason and message.
    /// Cancellation stops within seconds, checkpoints what was acknowledged and returns a Cancelled result.
    /// </summary>
    public static Task<RestoreResult> RunAsync(KafkaRestoreSpec spec, string @namespace, RestoreEnvironment env,
        IProgress<RestoreProgressUpdate>? progress, CancellationToken ct) =>
        RunAsync(spec, @namespace, env, progress, storage: null, ct);

    /// <summary>As <see cref="RunAsync(KafkaRestoreSpec, string, RestoreEnvironment, IProgress{RestoreProgressUpdate}?, CancellationToken)"/>, reading the backup from <paramref name="storage"/> instead of spec.storage.</summary>
    public static async Task<RestoreResult> RunAsync(KafkaRestoreSpec spec, string @namespace, RestoreEnvironment env,
        IProgress<RestoreProgressUpdate>? progress, IBackupStorage? storage, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(env);
        var time = env.Time;
        var startTime = time.GetUtcNow();
        var startTimestamp = time.GetTimestamp();
        RestorePlan? plan = null;
        List<PartitionState> states = [];
        RestoreResult Cancelled()
        {
            var message = CancelledMessage(states);
            var result = BuildResult(RestoreOutcome.Cancelled, RestoreResult.CancelledReason, message, startTime, time.GetUtcNow(), plan, states, null);
            RestoreLog.Finished(env.Logger, RestoreOutcome.Cancelled, null, result.Reason, message);
            return result;
        }
        RestoreResult Failed(FailureReason reason, string message, List<PartitionVerification>? verifications = null)
        {
            var result = BuildResult(RestoreOutcome.Failed, reason.Name, message, startTime, time.GetUtcNow(), plan, states, verifications) with { Failure = reason };
            RestoreLog.Finished(env.Logger, RestoreOutcome.Failed, reason, result.Reason, message);
            return result;
        }

        try
        {
            if (RestoreProducerChoice.Error is { } producerError) return Failed(FailureReason.InvalidClientConfig, "nothing was written: " + producerError);
            storage ??= BackupStorageFactory.Create(spec.Storage, env.Secrets);
            var manifest = await BackupManifestStore.ReadAsync(storage, spec.BackupId, ct);
            plan = RestorePlanner.Plan(manifest, spec);
            EnsureTargetsAllowed(plan, env.Policy, @namespace);
            if (env.Only is { } only) plan = plan with { Topics = [.. plan.Topics.Select(t => t with { Partitions = [.. t.Partitions.Where(p => only.Contains((p.TargetTopic, p.Partition)))] }).Where(t => t.Partitions.Count > 0)] };
            var budget = RestoreBudget.From(spec.Resources);
            LogPlan(env, plan, budget);

            var context = NewContext(spec, env, plan, storage, manifest.SourceClusterId, budget, progress, startTimestamp);
            context.ReportProgress(null, RestoreStage.Preflight);

            using var target = new TargetCluster(context.Client, context.Bootstrap, env.Logger, env.Tuning, time);
            target.Describe();
            await target.EnsureTopicsAsync(plan, spec.TargetCluster.ReplicationFactor, ct);
            await StartNewPartitionsAsync(context, target, env, spec.OnExistingData, ct);
            string? spreadNote = null;
            if (env.Spread is { } spread && env.Only is null && await spread(plan, written => ReportSpread(context, written), ct) is { } spreadOutcome)
            {
                if (spreadOutcome.Failure is { } unitFailure) return Failed(unitFailure, spreadOutcome.Message);
                spreadNote = spreadOutcome.Message;
            }

            var restarts = 0;
            while (true)
            {
                states = await ResumeStatesAsync(context, target, env, ct);
                context.ReportProgress(states, RestoreStage.Restoring);
                SessionOutcome outcome;
                using (var session = new ProducerSession(context, states)) outcome = await session.RunAsync(ct);
                if (outcome.Outcome == RestoreOutcome.Completed) break;
                if (outcome.Outcome == RestoreOutcome.Cancelled || ct.IsCancellationRequested)
                    return Cancelled();
                if (!outcome.Retryable || restarts >= env.Tuning.MaxProducerRestarts)
                    return Failed(outcome.Reason!, outcome.Message);
                restarts++;
                await BackOffBeforeRestartAsync(context, target, env, outcome, restarts, ct);
            }

            context.ReportProgress(states, RestoreStage.Verifying);
            var verifications = await VerifyAsync(target, states, ct);
            if (MismatchMessage(verifications) is { } message)
                return Failed(FailureReason.VerificationFailed, message, verifications);
            context.Checkpoints.SaveCompleted(states);
            context.ReportProgress(states, RestoreStage.Finished);

            var done = CompletedMessage(plan, verifications, states.Sum(s => s.EpochStamped)) + (spreadNote is null ? "" : "; " + spreadNote);
            var completed = BuildResult(RestoreOutcome.Completed, RestoreResult.CompletedReason, done, startTime, time.GetUtcNow(), plan, states, verifications);
            RestoreLog.Finished(env.Logger, RestoreOutcome.Completed, null, completed.Reason, done);
            return completed;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Cancelled();
        }
        catch (Exception e) when (RestoreFailures.Classify(e) is { } failure)
        {
            return Failed(failure.Reason, failure.Message);
        }
    }

    /// <summary>Without spec.topics the targets come from the manifest: validation could not see them, so the host policy is checked here.</summary>
    private static void EnsureTargetsAllowed(RestorePlan plan, HostPolicy? policy, string @namespace)
    {
        if (plan.Topics.Select(t => PolicyEvaluator.TargetTopic(policy, @namespace, t.TargetTopic, "spec.topics"))
                .FirstOrDefault(d => d is not null) is { } denied)
            throw new KafkaRestoredException(FailureReason.PolicyDenied, $"nothing was written: {denied.Message}");
    }

    /// <summary>Progress of a spread restore, from the records each partition holds by its unit's last checkpoint.</summary>
    private static void ReportSpread(RestoreContext context, IReadOnlyDictionary<(string Topic, int Partition), long> written) =>
        context.ReportProgress([.. context.Plan.Partitions.Select(p => new PartitionState(p, "", 0, written.GetValueOrDefault((p.TargetTopic, p.Partition)), ResumePoint.Beginning))],
            RestoreStage.Restoring);

    /// <summary>Logs the plan's size and budget, then every gap the backup reports.</summary>
    private static void LogPlan(RestoreEnvironment env, RestorePlan plan, RestoreBudget budget)
    {
        RestoreLog.Planned(env.Logger, plan.BackupId, plan.Topics.Count, plan.Partitions.Count(), plan.TotalRecords,
            budget.Workers, budget.MemoryBytes / (1024 * 1024),
            env.Tuning.Producer == RestoreProducerKind.Confluent ? "Confluent.Kafka's producer" : "librdkafka's C API");
        foreach (var gap in plan.Gaps)
            RestoreLog.Gap(env.Logger, gap.SourceTopic, gap.Partition, gap.StartOffset, gap.EndOffset - 1, gap.Reason ?? "no reason given");
    }

    /// <summary>What every step of one run shares: the plan, the backup, the target's client settings, the budget and the checkpoints.</summary>
    private static RestoreContext NewContext(KafkaRestoreSpec spec, RestoreEnvironment env, RestorePlan plan, IBackupStorage storage,
        string? manifestSourceCluster, RestoreBudget budget, IProgress<RestoreProgressUpdate>? progress, long startTimestamp) => new()
        {
            Plan = plan,
            Storage = storage,
            Client = KafkaClientConfig.For(spec.TargetCluster, env.Secrets),
            Bootstrap = KafkaClientConfig.BootstrapList(spec.TargetCluster),
            Budget = budget,
            IncludeOriginalOffsetHeader = spec.IncludeOriginalOffsetHeader,
            SourceCluster = spec.OffsetReset?.SourceCluster ?? manifestSourceCluster,
            Logger = env.Logger,
            Time = env.Time,
            Tuning = env.Tuning,
            Checkpoints = new CheckpointWriter(env.State, env.RestoreKey, env.Time),
            Progress = progress,
            StartTimestamp = startTimestamp,
        };

    /// <summary>Before the next producer session: log the restart, wait <paramref name="restarts"/> seconds, then until the target is quiet.</summary>
    private static async Task BackOffBeforeRestartAsync(RestoreContext context, TargetCluster target, RestoreEnvironment env,
        SessionOutcome outcome, int restarts, CancellationToken ct)
    {
        RestoreLog.ProducerRestart(env.Logger, outcome.Message, restarts, env.Tuning.MaxProducerRestarts);
        await Task.Delay(TimeSpan.FromSeconds(restarts), env.Time, ct);
        await WaitForQuietTargetAsync(context, target, ct);
    }

    /// <summary>Compares each target partition's records since its start offset with what the backup selects.</summary>
    private static async Task<List<PartitionVerification>> VerifyAsync(TargetCluster target, List<PartitionState> states, CancellationToken ct)
    {
        var ends = await target.OffsetsAsync(states.Select(s => (s.Plan.TargetTopic, s.Plan.Partition)).ToList(), earliest: false, ct);
        return states.Select(s =>
        {
            var end = ends[(s.Plan.TargetTopic, s.Plan.Partition)];
            return new PartitionVerification(s.Plan.SourceTopic, s.Plan.TargetTopic, s.Plan.Partition,
                s.Selected ?? 0, end - s.TargetStart, s.TargetStart, end);
        }).ToList();
    }

    /// <summary>The VerificationFailed message naming the first partition that does not match, or null when all match.</summary>
    private static string? MismatchMessage(List<PartitionVerification> verifications)
    {
        var bad = verifications.Where(v => !v.Verified).ToList();
        if (bad.Count == 0) return null;
        var first = bad[0];
        return $"{Plural.Of(bad.Count, "target partition")} {(bad.Count == 1 ? "does" : "do")} not hold the records this restore selected; first: {first.TargetTopic}[{first.Partition}] holds {Plural.Of(first.Written, "record")} since offset {first.TargetStartOffset} but the backup selects {first.Selected}. Something else wrote to (or deleted from) the target during the restore; empty the topics and restore again.";
    }

    /// <summary>The Completed message: records, topics and the gaps the backup reports.</summary>
    private static string CompletedMessage(RestorePlan plan, List<PartitionVerification> verifications, long epochStamped)
    {
        var records = verifications.Sum(v => v.Selected);
        var gaps = plan.Gaps.Count();
        return $"Restore completed successfully: {Plural.Of(records, "record", format: "N0")} into {Plural.Of(plan.Topics.Count, "topic")}, verified per partition"
            + (gaps > 0 ? $"; the backup reports {gaps} gaps (offsets the source had deleted before the backup), see gaps" : "")
            + (epochStamped > 0 ? "; records stamped 0 in the backup were written with the time of the restore (librdkafka cannot send a timestamp of 0; the log names the first of each partition)" : "");
    }

    /// <summary>
    /// Partitions this restore has not written yet: refuse ones holding foreign data (unless
    /// onExistingData: append), then record their end offset as the start — before any write.
    /// </summary>
    private static async Task StartNewPartitionsAsync(RestoreContext context, TargetCluster target, RestoreEnvironment env,
        OnExistingData onExistingData, CancellationToken ct)
    {
        var known = env.State.GetCheckpoints(env.RestoreKey).Select(c => (c.TargetTopic, c.Partition)).ToHashSet();
        var fresh = context.Plan.Partitions.Where(p => !known.Contains((p.TargetTopic, p.Partition))).ToList();
        if (fresh.Count == 0) return;
        var keys = fresh.Select(p => (p.TargetTopic, p.Partition)).ToList();
        var ends = await target.OffsetsAsync(keys, earliest: false, ct);
        if (onExistingData != OnExistingData.Append)
        {
            var starts = await target.OffsetsAsync(keys, earliest: true, ct);
            var occupied = fresh.Where(p => ends[(p.TargetTopic, p.Partition)] > starts[(p.TargetTopic, p.Partition)]).ToList();
            if (occupied.Count > 0)
            {
                var first = occupied[0];
                var key = (first.TargetTopic, first.Partition);
                var list = string.Join(", ", occupied.Take(5).Select(p => $"{p.TargetTopic}[{p.Partition}]")) + (occupied.Count > 5 ? ", ..." : "");
                throw new KafkaRestoredException(FailureReason.TargetNotEmpty,
                    $"{occupied.Count} target partitions already hold data not written by this restore ({list}; {first.TargetTopic}[{first.Partition}] has offsets {starts[key]}..{ends[key] - 1}); restoring into a live topic duplicates records. Restore into empty topics (delete and recreate them, or use spec.topicMapping), or set spec.onExistingData: append to add the backup after the existing data.");
            }
        }
        var now = context.Time.GetUtcNow();
        env.State.SaveCheckpoints(env.RestoreKey, [.. fresh.Select(p => new RestoreCheckpoint(
            p.SourceTopic, p.TargetTopic, p.Partition, Fingerprint(context, p), ends[(p.TargetTopic, p.Partition)],
            0, long.MinValue, 0, null, false, now))]);
    }

    /// <summary>
    /// Builds this session's partition states from the checkpoints and the target's end offsets:
    /// end − start selected records are already there and are skipped.
    /// </summary>
    private static async Task<List<PartitionState>> ResumeStatesAsync(RestoreContext context, TargetCluster target,
        RestoreEnvironment env, CancellationToken ct)
    {
        var checkpoints = env.State.GetCheckpoints(env.RestoreKey).ToDictionary(c => (c.TargetTopic, c.Partition));
        var maps = env.State.GetOffsetMaps(env.RestoreKey).ToDictionary(m => (m.TargetTopic, m.Partition));
        var partitions = context.Plan.Partitions.ToList();
        var ends = await target.OffsetsAsync(partitions.Select(p => (p.TargetTopic, p.Partition)).ToList(), earliest: false, ct);
        var states = new List<PartitionState>(partitions.Count);
        var tailChecks = new List<(int Index, PartitionPlan Plan, string Fingerprint, long TargetStart, long Present, ResumePoint Start, long TailOffset)>();
        foreach (var p in partitions)
        {
            var key = (p.TargetTopic, p.Partition);
            var cp = checkpoints[key];
            var fingerprint = Fingerprint(context, p);
            if (cp.Fingerprint != fingerprint || cp.SourceTopic != p.SourceTopic)
            {
                throw new KafkaRestoredException(FailureReason.RestoreStateMismatch,
                    $"the saved state of restore '{env.RestoreKey}' for {p.TargetTopic}[{p.Partition}] was recorded for another spec (backup, topic mapping, PITR cutoff or header settings changed) and {cp.RecordsConfirmed} records were already written with it; restore the original spec to finish that run, or empty the target topics and start over under a new restore name (saved state belongs to the name; the daemon's state of one name can be dropped with `kafka-restored forget NAME` while it is stopped).");
            }
            var present = ends[key] - cp.TargetStartOffset;
            if (present < 0)
            {
                throw new KafkaRestoredException(FailureReason.TargetChanged,
                    $"target partition {p.TargetTopic}[{p.Partition}] ends at offset {ends[key]}, before offset {cp.TargetStartOffset} where this restore started writing: the topic was deleted or recreated since. Start over under a new restore name (saved state belongs to the name; the daemon's state of one name can be dropped with `kafka-restored forget NAME` while it is stopped).");
            }
            if (cp.Completed && cp.SelectedRecords == present)
            {
                states.Add(new PartitionState(p, fingerprint, cp.TargetStartOffset, present, ResumePoint.Beginning)
                {
                    AlreadyComplete = true,
                    Selected = present,
                });
                continue;
            }
            var start = ResumePoint.Beginning;
            if (cp.ResumeSelectedBefore <= present && cp.ResumeSegmentStartOffset != long.MinValue)
            {
                if (cp.ResumeSelectedBefore == 0)
                {
                    start = new ResumePoint(cp.ResumeSegmentStartOffset, 0, []);
                }
                else if (maps.TryGetValue(key, out var map) && map.RecordCount >= cp.ResumeSelectedBefore)
                {
                    start = new ResumePoint(cp.ResumeSegmentStartOffset, cp.ResumeSelectedBefore, Prefix(map, cp.ResumeSelectedBefore));
                }
            }
            if (present > 0)
            {
                RestoreLog.Resuming(env.Logger, p.TargetTopic, p.Partition, present, start.SegmentStartOffset);
                tailChecks.Add((states.Count, p, fingerprint, cp.TargetStartOffset, present, start, ends[key] - 1));
                states.Add(null!); // replaced below, once every tail is read
                continue;
            }
            states.Add(new PartitionState(p, fingerprint, cp.TargetStartOffset, present, start));
        }
        // The target's last records, read through one assignment: one fetch for all partitions, not one each.
        var tails = await target.ReadRecordsAsync([.. tailChecks.Select(t => (t.Plan.TargetTopic, t.Plan.Partition, t.TailOffset))], ct);
        foreach (var t in tailChecks)
        {
            states[t.Index] = new PartitionState(t.Plan, t.Fingerprint, t.TargetStart, t.Present, t.Start)
            {
                Tail = tails.GetValueOrDefault((t.Plan.TargetTopic, t.Plan.Partition)),
            };
        }
        return states;
    }

    /// <summary>
    /// Before resuming with a new producer: the disposed producer's last requests may still sit in a
    /// broker's queue (a broker handles a request it has read even after the client went away), and
    /// the new producer has a new producer id, so the broker could not drop them as duplicates. The
    /// resume point is read only once every end offset held still for a settle interval; what could
    /// still slip through is caught by verification (VerificationFailed), never written silently twice.
    /// </summary>
    private static async Task WaitForQuietTargetAsync(RestoreContext context, TargetCluster target, CancellationToken ct)
    {
        var keys = context.Plan.Partitions.Select(p => (p.TargetTopic, p.Partition)).ToList();
        var before = await target.OffsetsAsync(keys, earliest: false, ct);
        for (var round = 1; round <= context.Tuning.MaxSettleRounds; round++)
        {
            await Task.Delay(context.Tuning.RestartSettleInterval, context.Time, ct);
            var after = await target.OffsetsAsync(keys, earliest: false, ct);
            var moved = keys.Count(k => after[k] != before[k]);
            if (moved == 0) return;
            RestoreLog.TargetStillMoving(context.Logger, moved, round);
            before = after;
        }
    }

    /// <summary>The runs covering the first <paramref name="records"/> records of a map.</summary>
    private static List<OffsetRun> Prefix(PartitionOffsetMap map, long records)
    {
        var runs = new List<OffsetRun>();
        var left = records;
        foreach (var run in map.Runs)
        {
            if (left <= 0) break;
            var take = Math.Min(left, run.Length);
            runs.Add(run with { Length = take });
            left -= take;
        }
        return runs;
    }

    /// <summary>What the records written to a partition depend on; a resume under another fingerprint would mix two selections.</summary>
    private static string Fingerprint(RestoreContext context, PartitionPlan p)
    {
        var text = string.Join('\n', context.Plan.BackupId, p.SourceTopic, p.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture),
            context.Plan.PitrCutoffMillis?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            context.IncludeOriginalOffsetHeader ? "headers:" + (context.SourceCluster ?? "") : "no-headers");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    private static string CancelledMessage(List<PartitionState> states) =>
        $"restore cancelled after {states.Sum(s => s.Done):N0} records; the written records are checkpointed and a new attempt resumes from there";

    private static RestoreResult BuildResult(RestoreOutcome outcome, string reason, string message,
        DateTimeOffset start, DateTimeOffset end, RestorePlan? plan, List<PartitionState> states,
        List<PartitionVerification>? verifications)
    {
        var topics = plan?.Topics.Select(t => new TopicRestoreResult(t.TargetTopic, t.SourceTopic,
            verifications is not null
                ? verifications.Where(v => v.TargetTopic == t.TargetTopic).Sum(v => v.Written)
                : states.Where(s => s.Plan.TargetTopic == t.TargetTopic).Sum(s => s.Done))).ToList() ?? [];
        return new RestoreResult(outcome, reason, message, start, end,
            topics.Sum(t => t.Records), states.Sum(s => s.AlreadyComplete ? s.Plan.ByteCount : s.Bytes),
            topics, verifications ?? [], plan?.Gaps.ToList() ?? [], plan);
    }
}
