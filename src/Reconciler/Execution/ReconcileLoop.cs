using System.Collections.Concurrent;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Reconciler.Status;
using KafkaRestored.Restore.Policy;
using KafkaRestored.Restore.Resources;
using KafkaRestored.Restore.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>What one cycle did.</summary>
/// <param name="Commit">The resource branch's commit, or null when the fetch failed.</param>
/// <param name="Skipped">True when the commit was unchanged and nothing was due: nothing was loaded, planned or committed.</param>
/// <param name="Actions">Planned actions (empty when skipped).</param>
/// <param name="Publish">What status publishing did, or null when it did not run.</param>
/// <param name="Error">Why the cycle could not sync, or null.</param>
public sealed record CycleReport(string? Commit, bool Skipped, IReadOnlyList<PlanAction> Actions, PublishOutcome? Publish, string? Error)
{
    /// <summary>True when Git was fetched and status pushed (or already up to date).</summary>
    public bool Synced => Error is null && Publish is not PublishOutcome.Failed;
}

/// <summary>Counters of the loop, for health and metrics.</summary>
public sealed class ReconcilerCounters
{
    internal long CyclesValue;
    internal long SkippedValue;
    internal long FetchErrorsValue;

    /// <summary>Cycles run.</summary>
    public long Cycles => Interlocked.Read(ref CyclesValue);

    /// <summary>Cycles that found the commit unchanged and nothing due.</summary>
    public long SkippedCycles => Interlocked.Read(ref SkippedValue);

    /// <summary>Fetches of the config repository that failed.</summary>
    public long FetchErrors => Interlocked.Read(ref FetchErrorsValue);

    /// <summary>Resource blobs parsed since start.</summary>
    public long BlobsParsed { get; internal set; }

    /// <summary>Status commits pushed.</summary>
    public long StatusCommits { get; internal set; }

    /// <summary>Status publishes that failed.</summary>
    public long PushFailures { get; internal set; }

    /// <summary>Last push error (redacted), null when the last publish succeeded.</summary>
    public string? LastPushError { get; internal set; }

    /// <summary>Last fetch or cycle error (redacted), null after a good cycle.</summary>
    public string? LastError { get; internal set; }

    /// <summary>End of the last cycle that fetched and published successfully.</summary>
    public DateTimeOffset? LastSuccessfulSync { get; internal set; }

    /// <summary>End of the last cycle, successful or not (the loop is alive).</summary>
    public DateTimeOffset? LastCycleEnd { get; internal set; }

    /// <summary>Resources executing now.</summary>
    public int Running { get; internal set; }

    /// <summary>Most resources executing at once since start: a high-water mark that never exceeds maxConcurrentRestores.</summary>
    public int PeakRunning { get; internal set; }

    /// <summary>Fetches that found the branch rewritten (force-pushed) under the daemon.</summary>
    public long ForcePushes { get; internal set; }

    /// <summary>The latest rewrite found (branch, previous and new tip), or null when none since start.</summary>
    public string? LastForcePush { get; internal set; }
}

/// <summary>
/// The reconciler: each cycle fetches the config repository, returns at once when the commit is
/// unchanged and nothing is due, else loads the desired resources, plans (SPEC 5), applies the plan
/// to the state store, starts, cancels and records runs, and publishes status to Git. Runs execute
/// in the background, at most maxConcurrentRestores at once; only the cycle writes resource
/// records, so a finishing run and a cycle never overwrite each other.
/// </summary>
public sealed class ReconcileLoop : IAsyncDisposable
{
    private static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(30);

    private readonly ReconcilerOptions _options;
    private readonly StateStore _store;
    private readonly GitSource _git;
    private readonly DesiredStateLoader _loader;
    private readonly StatusPublisher _publisher;
    private readonly Dictionary<string, IResourceRunner> _runners;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SecretStore _secrets;
    private readonly ConcurrentDictionary<ResourceId, RunHandle> _runs = new();
    private readonly ConcurrentQueue<Completion> _completions = new();
    private readonly SemaphoreSlim _cycleGate = new(1, 1);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly HashSet<ResourceId> _touched = [];
    private TaskCompletionSource _trigger = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DesiredState? _lastDesired;
    private string? _lastCommit;
    private DateTimeOffset? _nextDueAt;
    private bool _publishPending = true;
    private int _progressReported;

    /// <summary>Creates the loop over an opened store and clone, with one runner per kind.</summary>
    public ReconcileLoop(ReconcilerOptions options, StateStore store, GitSource git, IEnumerable<IResourceRunner> runners,
        TimeProvider? time = null, ILogger? logger = null)
    {
        _options = options;
        _store = store;
        _git = git;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _loader = new DesiredStateLoader(git, options.HostPolicy);
        _publisher = new StatusPublisher(options, git, store, _time, _logger);
        _runners = runners.ToDictionary(r => r.Kind);
        _secrets = new SecretStore(options.SecretsDirectory);
        _lastCommit = store.LastProcessedCommit;
    }

    /// <summary>Counters for health and metrics.</summary>
    public ReconcilerCounters Counters { get; } = new();

    /// <summary>Resources executing now.</summary>
    public IReadOnlyCollection<ResourceId> InFlight => [.. _runs.Keys];

    /// <summary>Blob parses since start (a cycle without changed files adds none).</summary>
    public long BlobsParsed => _loader.BlobsParsed;

    /// <summary>Asks the loop for a cycle now (webhook, finished run).</summary>
    public void Trigger() => _trigger.TrySetResult();

    /// <summary>Polls until <paramref name="cancellationToken"/> is cancelled: a cycle every poll interval (plus up to 10% jitter), sooner when triggered or when work is due.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RunCycleAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is StateStoreException or IOException or GitSourceException)
            {
                Counters.LastError = e.Message;
                _logger.LogError("Cycle failed: {Error}", e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                // A bug met by one input must not stop the daemon: the cycle is retried, the error is in
                // /healthz, and since no cycle completes the heartbeat stalls and health turns red.
                Counters.LastError = $"{e.GetType().Name}: {UrlRedaction.Redact(e.Message)}";
                _logger.LogError(e, "Cycle failed unexpectedly; retrying on the next poll");
            }
            await WaitForNextCycleAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Runs cycles until no resource is Pending or Running and nothing executes (cron and CI: one
    /// full reconciliation, waiting for the work it started, retries included). Returns true when
    /// every cycle synced and no resource touched meanwhile ended Failed.
    /// </summary>
    public async Task<bool> RunUntilIdleAsync(CancellationToken cancellationToken)
    {
        var ok = true;
        while (true)
        {
            var report = await RunCycleAsync(cancellationToken);
            if (!report.Synced) ok = false;
            if (report.Commit is null) return false;
            var active = _store.Resources(includeTombstones: false).Any(r => r.Phase is ResourcePhase.Pending or ResourcePhase.Running);
            if (_runs.IsEmpty && _completions.IsEmpty && !active) break;
            await WaitForNextCycleAsync(cancellationToken);
        }
        lock (_touched)
        {
            var failed = _touched.Select(_store.Find).Any(r => r is { Tombstone: false, Phase: ResourcePhase.Failed });
            return ok && !failed;
        }
    }

    private async Task WaitForNextCycleAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var wait = _options.PollInterval * (1 + Random.Shared.NextDouble() * 0.1);
        if (_nextDueAt is { } due && due - now < wait) wait = due > now ? due - now : TimeSpan.Zero;
        var trigger = _trigger.Task;
        if (!_completions.IsEmpty || trigger.IsCompleted) wait = TimeSpan.Zero;
        using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await Task.WhenAny(trigger, Task.Delay(wait, _time, delay.Token));
        }
        finally
        {
            await delay.CancelAsync();
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (trigger.IsCompleted) _trigger = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One cycle (see the class summary). Never runs two at once.</summary>
    public async Task<CycleReport> RunCycleAsync(CancellationToken cancellationToken)
    {
        await _cycleGate.WaitAsync(cancellationToken);
        try
        {
            Interlocked.Increment(ref Counters.CyclesValue);
            var completed = ProcessCompletions();
            string commit;
            try
            {
                commit = await _git.FetchAsync(cancellationToken);
            }
            catch (GitSourceException e)
            {
                Interlocked.Increment(ref Counters.FetchErrorsValue);
                Counters.LastError = e.Message;
                _logger.LogWarning("Fetch failed: {Error}", e.Message);
                Finish(null);
                return new CycleReport(null, false, [], null, e.Message);
            }

            var now = _time.GetUtcNow();
            var progressed = Interlocked.Exchange(ref _progressReported, 0) != 0;
            if (commit == _lastCommit && completed == 0 && !progressed && !_publishPending && (_nextDueAt is null || _nextDueAt > now))
            {
                Interlocked.Increment(ref Counters.SkippedValue);
                Finish(null);
                Counters.LastSuccessfulSync = now;
                return new CycleReport(commit, true, [], null, null);
            }

            var desired = _lastDesired?.Commit == commit ? _lastDesired : _loader.Load(commit);
            _lastDesired = desired;
            foreach (var error in desired.FileErrors) _logger.LogWarning("Resource file problem: {Error}", error);
            var records = _store.Resources();
            var plan = Planner.Plan(desired, records, new PlanContext(now, _options.MaxConcurrentRestores, _runs.Keys.ToHashSet()));
            foreach (var a in plan.Where(a => a.Kind != PlanActionKind.Unchanged && a.Kind != PlanActionKind.Wait))
                _logger.LogInformation("{Action} {Resource}: {Reason}", a.Kind, a.Id, a.Reason);

            await CancelDeletedAsync(plan);
            var starts = Apply(plan, desired, commit);
            foreach (var (record, resource) in starts) Launch(record, resource);

            var publish = await _publisher.PublishAsync(cancellationToken);
            _publishPending = publish == PublishOutcome.Failed;
            var processed = commit;
            if (publish == PublishOutcome.Pushed && !_options.UsesStatusBranch && _git.RemoteTip(_options.Branch) is { } pushed)
                processed = pushed; // our own status commit changes no resource
            _lastCommit = processed;
            _store.LastProcessedCommit = processed;
            Finish(publish);
            Counters.LastError = null;
            if (publish != PublishOutcome.Failed) Counters.LastSuccessfulSync = _time.GetUtcNow();
            return new CycleReport(commit, false, plan, publish, null);
        }
        finally
        {
            _cycleGate.Release();
        }
    }

    private void Finish(PublishOutcome? publish)
    {
        Counters.BlobsParsed = _loader.BlobsParsed;
        Counters.StatusCommits = _publisher.Counters.StatusCommits;
        Counters.PushFailures = _publisher.Counters.PushFailures;
        Counters.LastPushError = _publisher.Counters.LastPushError;
        Counters.Running = _runs.Count;
        Counters.ForcePushes = _git.ForcePushesDetected;
        Counters.LastForcePush = _git.LastForcePush?.ToString();
        Counters.LastCycleEnd = _time.GetUtcNow();
        if (publish is not null) _nextDueAt = NextDue(_store.Resources());
    }

    private DateTimeOffset? NextDue(IReadOnlyList<ResourceRecord> records)
    {
        DateTimeOffset? due = null;
        void Consider(DateTimeOffset? t)
        {
            if (t is { } v && (due is null || v < due)) due = v;
        }
        foreach (var r in records)
        {
            if (r.Phase == ResourcePhase.Running && !_runs.ContainsKey(r.Id)) Consider(r.NextAttemptAt);
            if (_runs.ContainsKey(r.Id)) Consider((r.PublishedAt ?? _time.GetUtcNow()) + _options.ProgressCommitInterval);
            Consider(PublishPolicy.DueAt(r, _options.ProgressCommitInterval));
            if (r.Phase is ResourcePhase.Completed or ResourcePhase.Failed && !r.RunDataPruned
                && r.Job.TtlSecondsAfterFinished is { } ttl && r.Status.CompletionTime is { } done)
                Consider(done.AddSeconds(ttl));
        }
        return due;
    }

    private async Task CancelDeletedAsync(IReadOnlyList<PlanAction> plan)
    {
        var handles = plan.Where(a => a.Kind == PlanActionKind.Cancel)
            .Select(a => _runs.TryGetValue(a.Id, out var h) ? h : null).OfType<RunHandle>().ToList();
        if (handles.Count == 0) return;
        foreach (var h in handles) await h.Deletion.CancelAsync();
        try
        {
            // The runner stops within seconds; record the outcome in the commit that removes the status.
            await Task.WhenAll(handles.Select(h => h.Task)).WaitAsync(CancelWait, _time);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Cancelled runs did not stop within {Wait}; their status is removed anyway", CancelWait);
        }
        ProcessCompletions();
    }

    private List<(ResourceRecord Record, KafkaResource Resource)> Apply(IReadOnlyList<PlanAction> plan, DesiredState desired, string commit)
    {
        var now = _time.GetUtcNow();
        var records = _store.Resources().ToDictionary(r => r.Id);
        var changed = new Dictionary<ResourceId, ResourceRecord>();
        var starts = new List<(ResourceRecord, KafkaResource)>();
        var prune = new List<ResourceId>();
        ResourceRecord? Current(ResourceId id) => changed.TryGetValue(id, out var c) ? c : records.GetValueOrDefault(id);

        foreach (var action in plan)
        {
            var rec = Current(action.Id);
            desired.Resources.TryGetValue(action.Id, out var d);
            ResourceRecord? next = action.Kind switch
            {
                PlanActionKind.Create => NewGeneration(d!, rec is { Tombstone: true } ? rec : null, commit, now, ConditionReasons.Pending, "recorded; waiting for a worker"),
                PlanActionKind.NewGeneration => NewGeneration(d!, rec, commit, now, ConditionReasons.Pending, "spec changed: new generation; waiting for a worker"),
                PlanActionKind.Rerun => NewGeneration(d!, rec, commit, now, ConditionReasons.Pending, $"rerun requested ({ObjectMeta.RerunAnnotation}={d!.RerunValue}); waiting for a worker"),
                PlanActionKind.Start or PlanActionKind.Retry or PlanActionKind.Resume => StartAttempt(rec!, action.Kind, now),
                PlanActionKind.DeferChange => WithCondition(rec!, d!, ConditionTypes.SpecApplied, ConditionStatus.False, ConditionReasons.SpecChangeQueued,
                    $"The spec in Git changed while generation {rec!.Generation} runs; it finishes (or fails) first, then the change is applied by the rules for its outcome.", now),
                PlanActionKind.KeepCompleted => WithCondition(rec!, d!, ConditionTypes.SpecApplied, ConditionStatus.False, ConditionReasons.ImmutableAfterCompletion,
                    KeepCompletedMessage(rec!, d!), now),
                PlanActionKind.MarkInvalid => Problem(d!, rec, commit, now, ConditionReasons.InvalidSpec,
                    $"{d!.Errors.Count} error{(d.Errors.Count == 1 ? "" : "s")}; nothing was executed: {string.Join("; ", d.Errors)}"),
                PlanActionKind.MarkDenied => Problem(d!, rec, commit, now, ConditionReasons.PolicyDenied,
                    $"The host policy denies {d!.Denials.Count} reference{(d.Denials.Count == 1 ? "" : "s")}; nothing was executed: {string.Join("; ", d.Denials)}"),
                PlanActionKind.MarkDuplicate => Problem(d!, rec, commit, now, ConditionReasons.DuplicateResource,
                    $"{action.Id} is defined in {d!.Duplicates.Count} places ({string.Join(", ", d.Duplicates)}); neither is executed until one is renamed or removed."),
                PlanActionKind.Remove => Tombstone(rec!, DeletionOutcome.Deleted, now),
                PlanActionKind.Cancel => rec!.Tombstone ? null : Tombstone(rec, DeletionOutcome.Cancelled, now),
                PlanActionKind.Prune => MarkPruned(rec!, prune),
                PlanActionKind.Unchanged when d is { IsValid: true } && rec is { Tombstone: false } => SyncUnchanged(rec, d),
                _ => null,
            };
            if (next is null) continue;
            changed[action.Id] = next;
            if (action.Kind is PlanActionKind.Start or PlanActionKind.Retry or PlanActionKind.Resume)
            {
                var resource = d?.Resource;
                if (resource is null) continue;
                starts.Add((next, resource));
            }
            lock (_touched) _touched.Add(action.Id);
        }

        var toSave = changed.Values.Select(r => PublishPolicy.Apply(r, now, _options.ProgressCommitInterval)).ToList();
        foreach (var stale in records.Values.Where(r => !changed.ContainsKey(r.Id) && PublishPolicy.IsDue(r, now, _options.ProgressCommitInterval)))
            toSave.Add(PublishPolicy.Apply(stale, now, _options.ProgressCommitInterval));
        _store.InTransaction(() =>
        {
            _store.Save(toSave);
            foreach (var id in prune) _store.PruneRunData(id);
        });
        var saved = toSave.ToDictionary(r => r.Id);
        return [.. starts.Select(s => (saved[s.Item1.Id], s.Item2))];
    }

    private static ResourceRecord NewGeneration(DesiredResource d, ResourceRecord? previous, string commit, DateTimeOffset now, string reason, string message)
    {
        var generation = (previous?.Generation ?? 0) + 1;
        var conditions = Conditions.Set(previous is { Tombstone: false } ? previous.Status.Conditions : ValueList<Condition>.Empty,
            ConditionTypes.Ready, ConditionStatus.False, reason, message, now, generation);
        conditions = Conditions.Remove(conditions, ConditionTypes.SpecApplied);
        var ignored = d.Warnings.Where(w => w.Contains(": IgnoredField: ", StringComparison.Ordinal)).ToList();
        conditions = ignored.Count > 0
            ? Conditions.Set(conditions, ConditionTypes.IgnoredFields, ConditionStatus.True, ConditionReasons.PodTemplateIgnored, string.Join("; ", ignored), now, generation)
            : Conditions.Remove(conditions, ConditionTypes.IgnoredFields);
        var status = ResourceStatus.Empty(d.Id.Kind) with
        {
            Phase = ResourcePhase.Pending,
            ObservedGeneration = generation,
            SourceRevision = commit,
            Conditions = conditions,
        };
        return new ResourceRecord
        {
            Id = d.Id,
            SpecHash = d.SpecHash,
            DesiredSpecHash = d.SpecHash,
            RerunValue = d.RerunValue ?? previous?.RerunValue,
            DesiredRerunValue = d.RerunValue,
            SourceFile = d.Location.File,
            Job = d.Job,
            Status = status,
            PublishedStatus = previous is { Tombstone: false } ? previous.PublishedStatus : null,
            PublishedAt = previous is { Tombstone: false } ? previous.PublishedAt : null,
            CreatedAt = previous?.CreatedAt ?? now,
            PhaseChangedAt = now,
        };
    }

    private static ResourceRecord StartAttempt(ResourceRecord rec, PlanActionKind kind, DateTimeOffset now)
    {
        var resume = kind == PlanActionKind.Resume;
        var attempt = resume ? Math.Max(1, rec.Attempts) : rec.Attempts + 1;
        var message = resume
            ? $"attempt {attempt} of {rec.Job.BackoffLimit + 1} resumed after a daemon restart"
            : $"attempt {attempt} of {rec.Job.BackoffLimit + 1} running";
        return rec with
        {
            Status = rec.Status with
            {
                Phase = ResourcePhase.Running,
                Attempts = attempt,
                StartTime = rec.Status.StartTime ?? now,
                Conditions = Conditions.Set(rec.Status.Conditions, ConditionTypes.Ready, ConditionStatus.False, ConditionReasons.Running, message, now, rec.Generation),
            },
            AttemptStartedAt = resume ? rec.AttemptStartedAt ?? now : now,
            NextAttemptAt = null,
            PhaseChangedAt = rec.Phase == ResourcePhase.Running ? rec.PhaseChangedAt : now,
        };
    }

    private static ResourceRecord WithCondition(ResourceRecord rec, DesiredResource d, string type, ConditionStatus status, string reason, string message, DateTimeOffset now) =>
        rec with
        {
            DesiredSpecHash = d.SpecHash,
            DesiredRerunValue = d.RerunValue,
            Status = rec.Status with { Conditions = Conditions.Set(rec.Status.Conditions, type, status, reason, message, now, rec.Generation) },
        };

    private static string KeepCompletedMessage(ResourceRecord rec, DesiredResource d)
    {
        var what = d.IsValid || d.IsDenied ? "The spec changed" : $"The spec was edited and is now invalid ({string.Join("; ", d.Errors)})";
        return $"{what} after generation {rec.Generation} completed (it ran the spec of commit {Short(rec.Status.SourceRevision)}). " +
            $"A completed {rec.Id.Kind} is not re-run, like a Kubernetes Job. To run it again with the current spec, set the annotation " +
            $"{ObjectMeta.RerunAnnotation} to a new value (for example today's date).";
    }

    private static ResourceRecord Problem(DesiredResource d, ResourceRecord? rec, string commit, DateTimeOffset now, string reason, string message)
    {
        var live = rec is { Tombstone: false } ? rec : null;
        var generation = (rec?.Generation ?? 0) + 1;
        var status = ResourceStatus.Empty(d.Id.Kind) with
        {
            Phase = ResourcePhase.Failed,
            CompletionTime = now,
            ObservedGeneration = generation,
            SourceRevision = commit,
            Conditions = Conditions.Set(live?.Status.Conditions ?? ValueList<Condition>.Empty, ConditionTypes.Ready, ConditionStatus.False, reason, message, now, generation),
        };
        return new ResourceRecord
        {
            Id = d.Id,
            SpecHash = d.SpecHash,
            DesiredSpecHash = d.SpecHash,
            RerunValue = live?.RerunValue,
            SourceFile = d.Location.File,
            Status = status,
            PublishedStatus = live?.PublishedStatus,
            PublishedAt = live?.PublishedAt,
            CreatedAt = rec?.CreatedAt ?? now,
            PhaseChangedAt = now,
        };
    }

    private static ResourceRecord Tombstone(ResourceRecord rec, DeletionOutcome outcome, DateTimeOffset now)
    {
        var status = rec.Status;
        if (outcome == DeletionOutcome.Cancelled)
        {
            status = status with
            {
                Phase = ResourcePhase.Failed,
                CompletionTime = now,
                Conditions = Conditions.Set(status.Conditions, ConditionTypes.Ready, ConditionStatus.False, ConditionReasons.Cancelled,
                    $"The YAML was deleted while attempt {rec.Attempts} ran; the run was cancelled.", now, rec.Generation),
            };
        }
        return rec with { Tombstone = true, Deletion = outcome, Status = status, PublishedStatus = status, PhaseChangedAt = now };
    }

    private static ResourceRecord MarkPruned(ResourceRecord rec, List<ResourceId> prune)
    {
        prune.Add(rec.Id);
        return rec with { RunDataPruned = true };
    }

    private static ResourceRecord? SyncUnchanged(ResourceRecord rec, DesiredResource d)
    {
        if (rec.DesiredSpecHash == d.SpecHash && rec.DesiredRerunValue == d.RerunValue) return null;
        var conditions = rec.Phase == ResourcePhase.Running ? rec.Status.Conditions : Conditions.Remove(rec.Status.Conditions, ConditionTypes.SpecApplied);
        return rec with { DesiredSpecHash = d.SpecHash, DesiredRerunValue = d.RerunValue, Status = rec.Status with { Conditions = conditions } };
    }

    private void Launch(ResourceRecord record, KafkaResource resource)
    {
        var deletion = new CancellationTokenSource();
        CancellationTokenSource? deadline = null;
        if (record.Job.ActiveDeadlineSeconds is { } seconds)
        {
            var remaining = (record.AttemptStartedAt ?? _time.GetUtcNow()).AddSeconds(seconds) - _time.GetUtcNow();
            deadline = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time);
        }
        var linked = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token, deletion.Token, deadline?.Token ?? CancellationToken.None);
        var handle = new RunHandle(record.Id, record.Generation, deletion, deadline, linked);
        _runs[record.Id] = handle;
        // Runs are added only here, in the cycle, so the high-water mark is exact.
        if (_runs.Count > Counters.PeakRunning) Counters.PeakRunning = _runs.Count;
        var context = new RunContext(record.Id, record.Generation, record.Attempts, record.Status.SourceRevision ?? "", _store, _secrets, _time, _logger,
            details =>
            {
                handle.Latest = details;
                Interlocked.Exchange(ref _progressReported, 1);
            })
        { Policy = _options.HostPolicy };
        handle.Task = Task.Run(async () =>
        {
            // A message-template scope prints as "KafkaRestore ns/name generation N" and still carries the values as fields.
            using var scope = _logger.BeginScope("{Resource} generation {Generation}", record.Id.ToString(), record.Generation);
            RunOutcome outcome;
            if (!_runners.TryGetValue(record.Id.Kind, out var runner))
            {
                outcome = RunOutcome.Failed("NoRunner", $"This kafka-restored build cannot execute {record.Id.Kind} resources yet.", retryable: false);
            }
            else if (PolicyEvaluator.Evaluate(context.Policy, resource) is { Count: > 0 } denials)
            {
                // Defense in depth: the planner already refused denied resources; a folder's links may have changed since.
                outcome = RunOutcome.Failed(ConditionReasons.PolicyDenied, "The host policy denies this resource; nothing was executed: " + string.Join("; ", denials.Select(d => d.ToString())), retryable: false);
            }
            else
            {
                try
                {
                    outcome = await runner.RunAsync(resource, context, linked.Token);
                }
                catch (OperationCanceledException) when (linked.IsCancellationRequested)
                {
                    outcome = RunOutcome.Cancelled("The attempt was cancelled.");
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _logger.LogError(e, "Runner for {Resource} threw", record.Id);
                    // The status lands in Git: URL credentials are stripped; the stack trace stays in the daemon's log.
                    outcome = RunOutcome.Failed(ConditionReasons.UnexpectedError,
                        $"{e.GetType().Name}: {UrlRedaction.Redact(e.Message)} (the daemon log has the stack trace)");
                }
            }
            _completions.Enqueue(new Completion(handle, outcome));
            Trigger();
        }, CancellationToken.None);
    }

    private int ProcessCompletions()
    {
        var count = 0;
        var now = _time.GetUtcNow();
        var updates = new List<ResourceRecord>();
        while (_completions.TryDequeue(out var c))
        {
            count++;
            _runs.TryRemove(new KeyValuePair<ResourceId, RunHandle>(c.Handle.Id, c.Handle));
            var rec = updates.LastOrDefault(u => u.Id == c.Handle.Id) ?? _store.Find(c.Handle.Id);
            if (rec is null || rec.Generation != c.Handle.Generation)
            {
                c.Handle.Dispose();
                continue;
            }
            var next = Complete(rec, c, now);
            c.Handle.Dispose();
            if (next is null) continue;
            updates.Add(PublishPolicy.Apply(next, now, _options.ProgressCommitInterval));
            lock (_touched) _touched.Add(rec.Id);
        }
        // Progress of runs still executing: persisted for the status command, published throttled.
        foreach (var h in _runs.Values)
        {
            if (h.Latest is not { } details || ReferenceEquals(details, h.Persisted)) continue;
            var rec = _store.Find(h.Id);
            if (rec is null || rec.Generation != h.Generation || rec.Tombstone || details.GetType() != rec.Status.GetType()) continue;
            h.Persisted = details;
            updates.Add(PublishPolicy.Apply(rec with { Status = rec.Status.WithDetailsFrom(details) }, now, _options.ProgressCommitInterval));
        }
        if (updates.Count > 0) _store.Save(updates);
        return count;
    }

    private ResourceRecord? Complete(ResourceRecord rec, Completion c, DateTimeOffset now)
    {
        var outcome = c.Outcome;
        var status = rec.Status;
        var details = outcome.Details ?? c.Handle.Latest;
        if (details is not null && details.GetType() == status.GetType()) status = status.WithDetailsFrom(details);
        if (rec.Tombstone)
        {
            // Cancelled by deletion: keep what the run reached for the record, the status file is gone.
            return rec with { Status = status, PublishedStatus = status };
        }
        if (c.Handle.Deletion.IsCancellationRequested) return null;
        if (_shutdown.IsCancellationRequested && outcome.Result != RunResult.Succeeded)
            return rec with { Status = status }; // stays Running: resumed on the next start
        var gen = rec.Generation;
        if (c.Handle.Deadline?.IsCancellationRequested == true && outcome.Result != RunResult.Succeeded)
        {
            return Terminal(rec, status, ResourcePhase.Failed, ConditionReasons.DeadlineExceeded,
                $"Attempt {rec.Attempts} ran longer than job.activeDeadlineSeconds={rec.Job.ActiveDeadlineSeconds} and was cancelled.", now);
        }
        switch (outcome.Result)
        {
            case RunResult.Succeeded:
                return Terminal(rec, status, ResourcePhase.Completed, outcome.Reason, outcome.Message, now, ConditionStatus.True);
            default:
                var retriesLeft = outcome.Retryable && rec.Attempts <= rec.Job.BackoffLimit;
                if (retriesLeft)
                {
                    var delay = Backoff(rec.Attempts);
                    var at = now + delay;
                    var message = $"Attempt {rec.Attempts} of {rec.Job.BackoffLimit + 1} failed ({outcome.Reason}: {outcome.Message}); next attempt at {StatusJson.Format(at)}.";
                    return rec with
                    {
                        NextAttemptAt = at,
                        Status = status with { Conditions = Conditions.Set(status.Conditions, ConditionTypes.Ready, ConditionStatus.False, ConditionReasons.AttemptFailed, message, now, gen) },
                    };
                }
                var final = outcome.Retryable && rec.Job.BackoffLimit > 0
                    ? $"{outcome.Message} (attempt {rec.Attempts} of {rec.Job.BackoffLimit + 1}; job.backoffLimit={rec.Job.BackoffLimit} reached)"
                    : outcome.Message;
                return Terminal(rec, status, ResourcePhase.Failed, outcome.Reason, final, now);
        }
    }

    private static ResourceRecord Terminal(ResourceRecord rec, ResourceStatus status, ResourcePhase phase, string reason, string message, DateTimeOffset now,
        ConditionStatus ready = ConditionStatus.False)
    {
        if (phase == ResourcePhase.Completed && status is KafkaRestoreStatus r) status = r with { Progress = null };
        return rec with
        {
            NextAttemptAt = null,
            PhaseChangedAt = now,
            Status = status with
            {
                Phase = phase,
                CompletionTime = now,
                Conditions = Conditions.Set(status.Conditions, ConditionTypes.Ready, ready, reason, message, now, rec.Generation),
            },
        };
    }

    private TimeSpan Backoff(int attempts)
    {
        var delay = _options.RetryBaseDelay * Math.Pow(2, Math.Max(0, attempts - 1));
        return delay < _options.RetryMaxDelay ? delay : _options.RetryMaxDelay;
    }

    private static string Short(string? sha) => sha is { Length: > 12 } ? sha[..12] : sha ?? "unknown";

    /// <summary>Stops the loop's runs (they stay Running in the store and resume on the next start).</summary>
    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        var tasks = _runs.Values.Select(h => h.Task).ToList();
        try
        {
            await Task.WhenAll(tasks).WaitAsync(CancelWait);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Runs did not stop within {Wait} at shutdown", CancelWait);
        }
        ProcessCompletions();
        _shutdown.Dispose();
        _cycleGate.Dispose();
    }

    private sealed record Completion(RunHandle Handle, RunOutcome Outcome);

    private sealed class RunHandle(ResourceId id, long generation, CancellationTokenSource deletion,
        CancellationTokenSource? deadline, CancellationTokenSource linked) : IDisposable
    {
        public ResourceId Id { get; } = id;

        public long Generation { get; } = generation;

        public CancellationTokenSource Deletion { get; } = deletion;

        public CancellationTokenSource? Deadline { get; } = deadline;

        public Task Task { get; set; } = Task.CompletedTask;

        public volatile ResourceStatus? Latest;

        public ResourceStatus? Persisted { get; set; }

        public void Dispose()
        {
            linked.Dispose();
            Deletion.Dispose();
            Deadline?.Dispose();
        }
    }
}
