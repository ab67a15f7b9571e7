using KafkaRestored.Reconciler.Coordination;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.Live;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Reconciler.Status;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>
/// The reconciler: each cycle fetches the config repository, returns at once when the commit is
/// unchanged and nothing is due, else loads the desired resources, plans (SPEC 5), applies the plan
/// to the state store, starts and cancels runs, and publishes status to Git. Runs execute in the
/// background under a <see cref="RunSupervisor"/>, at most maxConcurrentRestores at once; only the
/// cycle writes resource records (through <see cref="RecordTransitions"/>), so a finishing run and a
/// cycle never overwrite each other.
/// </summary>
public sealed class ReconcileLoop : IAsyncDisposable
{
    private readonly ReconcilerOptions _options;
    private readonly GitSource _git;
    private readonly StateStore _store;
    private readonly DesiredStateLoader _loader;
    private readonly StatusPublisher _publisher;
    private readonly RunSupervisor _runs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SyncWindows _windows;
    private readonly ILeadership? _leadership;
    private readonly SharedRunState? _shared;
    private readonly SemaphoreSlim _cycleGate = new(1, 1);
    private readonly HashSet<ResourceId> _touched = [];
    private HashSet<ResourceId> _held = [];
    private TaskCompletionSource _trigger = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DesiredState? _lastDesired;
    private string? _lastCommit;
    private DateTimeOffset? _nextDueAt;
    private DateTimeOffset? _windowOpensAt;
    private DateTimeOffset _plannedAt;
    private bool _publishPending = true;
    private bool _leading;

    /// <summary>Creates the loop over an opened store and clone, with its loader, publisher and run supervisor (which it disposes).</summary>
    public ReconcileLoop(ReconcilerOptions options, GitSource git, StateStore store, DesiredStateLoader loader, StatusPublisher publisher,
        RunSupervisor runs, TimeProvider time, ILogger logger, ILeadership? leadership = null, SharedRunState? shared = null)
    {
        _leadership = leadership;
        _shared = shared;
        _options = options;
        _git = git;
        _store = store;
        _loader = loader;
        _publisher = publisher;
        _runs = runs;
        _time = time;
        _logger = logger;
        _windows = SyncWindows.From(options.SyncWindows);
        _lastCommit = store.LastProcessedCommit;
        _runs.RunEnded += Trigger;
        _runs.StageChanged += Trigger;
    }

    /// <summary>
    /// The loop with its usual parts: a loader and a publisher over <paramref name="git"/> and <paramref name="store"/>, and a supervisor of
    /// <paramref name="runners"/> (one per kind); with <paramref name="leadership"/> (distributed mode) it acts only while it leads, and
    /// with <paramref name="shared"/> its restores' state is readable by the next leader, which loads it as it takes over; with
    /// <paramref name="units"/> its restores are spread over the members as units.
    /// </summary>
    public static ReconcileLoop Create(ReconcilerOptions options, StateStore store, GitSource git, IEnumerable<IResourceRunner> runners,
        TimeProvider? time = null, ILogger? logger = null, ILeadership? leadership = null, SharedRunState? shared = null, UnitDispatcher? units = null)
    {
        time ??= TimeProvider.System;
        logger ??= NullLogger.Instance;
        var loader = new DesiredStateLoader(git, options.HostPolicy);
        var publisher = new StatusPublisher(options, git, store, time, logger, leadership);
        var runs = new RunSupervisor(runners, store, new SecretStore(options.SecretsDirectory), options.HostPolicy, time, logger, shared) { Units = units };
        return new ReconcileLoop(options, git, store, loader, publisher, runs, time, logger, leadership, shared);
    }

    /// <summary>Counters for health and metrics.</summary>
    public ReconcilerCounters Counters { get; } = new();

    /// <summary>Resources executing now.</summary>
    public IReadOnlyCollection<ResourceId> InFlight => _runs.InFlight;

    /// <summary>Live progress of the runs in flight (read-only snapshots, for the status page).</summary>
    public IReadOnlyList<LiveRun> LiveRuns => _runs.Live;

    /// <summary>The resources as the last loaded commit defines them (null before the first load), for readers on other threads (the status page).</summary>
    public DesiredState? Desired => Volatile.Read(ref _lastDesired);

    /// <summary>Blob parses since start (a cycle without changed files adds none).</summary>
    public long BlobsParsed => _loader.BlobsParsed;

    /// <summary>
    /// Raised once per phase change, after the change is saved, on the cycle's thread: a handler must
    /// return at once (queue, never send) and must not throw; a throwing one is logged and skipped.
    /// </summary>
    public event Action<PhaseChange>? PhaseChanged;

    /// <summary>Asks the loop for a cycle now (webhook, finished run).</summary>
    public void Trigger() => _trigger.TrySetResult();

    /// <summary>
    /// Distributed mode, when this process finds it was paused: cancels its runs at once, as a stand-down does, without
    /// waiting for the next cycle to ask the coordinator (the restores stay Running and resume, here or on the next leader).
    /// </summary>
    public void AbandonRuns()
    {
        if (_runs.Count == 0) return;
        _logger.LogWarning("This process was paused: cancelling {Count} runs before asking the coordinator whether it still leads", _runs.Count);
        _ = _runs.StandDownAsync();
    }

    /// <summary>Polls until <paramref name="cancellationToken"/> is cancelled: a cycle every poll interval (plus up to 10% jitter), sooner when triggered or when work is due.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failedInARow = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RunCycleAsync(cancellationToken);
                failedInARow = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is StateStoreException or IOException or GitSourceException)
            {
                failedInARow++;
                Counters.LastError = e.Message;
                _logger.LogError("Cycle failed: {Error}", e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                // A bug met by one input must not stop the daemon: the cycle is retried, the error is in
                // /healthz, and since no cycle completes the heartbeat stalls and health turns red.
                failedInARow++;
                Counters.LastError = $"{e.GetType().Name}: {UrlRedaction.Redact(e.Message)}";
                _logger.LogError(e, "Cycle failed unexpectedly; retrying on the next poll");
            }
            // A failed cycle leaves its runs' completions untaken, which would start the next cycle at once: on a full state
            // disk that was a thousand failed cycles (and log lines) a second. After a failure the next cycle waits at least
            // 1 s, doubling with each failure in a row up to the poll interval.
            if (failedInARow > 0) await Task.Delay(FailureBackoff(failedInARow, _options.PollInterval), _time, cancellationToken);
            await WaitForNextCycleAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Runs cycles until no resource is Pending or Running and nothing executes (cron and CI: one
    /// full reconciliation, waiting for the work it started, retries included); resources the last plan
    /// held (spec.suspend, spec.dependsOn, a sync window) do not count once nothing they wait for can move. Returns true when
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
            // A resource held by spec.suspend or a dependency that cannot complete would never end: it does not keep the loop waiting.
            var active = _store.Resources(includeTombstones: false)
                .Any(r => r.Phase is ResourcePhase.Pending or ResourcePhase.Running && (!_held.Contains(r.Id) || _runs.IsRunning(r.Id)));
            if (_runs.IsIdle && !active) break;
            await WaitForNextCycleAsync(cancellationToken);
        }
        lock (_touched)
        {
            var failed = _touched.Select(_store.Find).Any(r => r is { Tombstone: false, Phase: ResourcePhase.Failed });
            return ok && !failed;
        }
    }

    /// <summary>The least wait after <paramref name="failedInARow"/> failed cycles: 1 s, doubling, never above the poll interval.</summary>
    internal static TimeSpan FailureBackoff(int failedInARow, TimeSpan pollInterval)
    {
        var backoff = TimeSpan.FromSeconds(Math.Pow(2, Math.Min(failedInARow - 1, 16)));
        return backoff < pollInterval ? backoff : pollInterval;
    }

    private async Task WaitForNextCycleAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var wait = _options.PollInterval * (1 + Random.Shared.NextDouble() * 0.1);
        if (_nextDueAt is { } due && due - now < wait) wait = due > now ? due - now : TimeSpan.Zero;
        var trigger = _trigger.Task;
        if (_runs.HasCompletions || trigger.IsCompleted) wait = TimeSpan.Zero;
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
            if (_leadership is not null)
            {
                bool leads;
                try
                {
                    leads = await _leadership.ConfirmAsync(cancellationToken);
                }
                catch (GitSourceException e)
                {
                    // The Git lease could not reach the remote: a failed fetch, reported as one.
                    await FollowAsync();
                    return FetchFailed(e);
                }
                if (!leads) return await FollowAsync();
            }
            var takingOver = _leadership is not null && !_leading;
            var completed = RecordCompletions();
            string commit;
            try
            {
                commit = await _git.FetchAsync(cancellationToken);
            }
            catch (GitSourceException e)
            {
                return FetchFailed(e);
            }
            var now = _time.GetUtcNow();
            if (takingOver)
            {
                if (!LoadSharedState(cancellationToken)) return SharedStateUnreadable();
                if (_leadership!.AcquiredFromAnother) LeaderTakeover.Adopt(_git, _loader, _options, _store, _publisher, commit, now, _logger);
                _leading = true;
            }
            _plannedAt = now;
            var progressed = _runs.TakeProgressReported();
            if (commit == _lastCommit && completed == 0 && !progressed && !_publishPending && (_nextDueAt is null || _nextDueAt > now))
                return Skipped(commit, now);

            var desired = Load(commit);
            var plan = Plan(desired, now);
            if (await _runs.CancelAsync(plan.Where(a => a.Kind == PlanActionKind.Cancel).Select(a => a.Id))) RecordCompletions();
            foreach (var (record, resource) in Apply(plan, desired, commit))
            {
                _runs.Start(record, resource, desired);
                // Runs are added only here, in the cycle, so the high-water mark is exact.
                if (_runs.Count > Counters.PeakRunning) Counters.PeakRunning = _runs.Count;
            }
            // Units left by a leader before this one whose run does not go on here (deleted meanwhile, or not started yet) are withdrawn.
            _runs.Units?.WithdrawOrphans(_runs.RestoreKeysInFlight, cancellationToken);
            var publish = await PublishAsync(commit, cancellationToken);
            Counters.LastError = null;
            if (publish != PublishOutcome.Failed) Counters.LastSuccessfulSync = _time.GetUtcNow();
            return new CycleReport(commit, false, plan, publish, null);
        }
        finally
        {
            _cycleGate.Release();
        }
    }

    /// <summary>
    /// Distributed mode, as this daemon becomes the leader: the restore state the leaders before it shared replaces what its
    /// own store holds, so a restore they left Running resumes from their checkpoints. False (and no leading yet) when the
    /// state topic cannot be read: a restore started without it would find records it did not write.
    /// </summary>
    private bool LoadSharedState(CancellationToken cancellationToken)
    {
        if (_shared is null) return true;
        try
        {
            var runs = _shared.Import(new LiteDbRestoreStateStore(_store), new LiteDbOffsetSnapshotStore(_store), cancellationToken);
            _logger.LogInformation("Loaded the restore state of {Runs} runs from the shared state topic {Topic}", runs, _shared.Topic);
            return true;
        }
        catch (KafkaRestoredException e)
        {
            _logger.LogWarning("Not taking over yet: {Error}", e.Message);
            Counters.LastError = e.Message;
            return false;
        }
    }

    private CycleReport SharedStateUnreadable()
    {
        Finish(null);
        return new CycleReport(null, false, [], null, Counters.LastError);
    }

    private CycleReport FetchFailed(GitSourceException e)
    {
        Interlocked.Increment(ref Counters.FetchErrorsValue);
        Counters.LastError = e.Message;
        _logger.LogWarning("Fetch failed: {Error}", e.Message);
        Finish(null);
        return new CycleReport(null, false, [], null, e.Message);
    }

    /// <summary>A cycle of a member that does not lead: its runs are cancelled (they stay Running here), nothing is fetched, planned or pushed.</summary>
    private async Task<CycleReport> FollowAsync()
    {
        if (_runs.Count > 0)
        {
            _logger.LogWarning("Not the leader: cancelling {Count} runs; they stay Running in this daemon's store", _runs.Count);
            await _runs.StandDownAsync();
        }
        RecordCompletions();
        // Should this daemon lead again, its first cycle takes over what others committed, plans and publishes afresh.
        _publishPending = true;
        _leading = false;
        Finish(null);
        return new CycleReport(null, true, [], null, null);
    }

    private CycleReport Skipped(string commit, DateTimeOffset now)
    {
        Interlocked.Increment(ref Counters.SkippedValue);
        Finish(null);
        Counters.LastSuccessfulSync = now;
        return new CycleReport(commit, true, [], null, null);
    }

    private DesiredState Load(string commit)
    {
        var desired = _lastDesired?.Commit == commit ? _lastDesired : _loader.Load(commit);
        _lastDesired = desired;
        foreach (var error in desired.FileErrors) _logger.LogWarning("Resource file problem: {Error}", error);
        return desired;
    }

    private IReadOnlyList<PlanAction> Plan(DesiredState desired, DateTimeOffset now)
    {
        var plan = Planner.Plan(desired, _store.Resources(), new PlanContext(now, _options.MaxConcurrentRestores, _runs.InFlight.ToHashSet(), _windows));
        _held = [.. plan.Where(a => a.Kind is PlanActionKind.Suspended or PlanActionKind.AwaitDependency or PlanActionKind.DependencyFailed
            or PlanActionKind.AwaitSchedule or PlanActionKind.AwaitWindow).Select(a => a.Id)];
        _windowOpensAt = plan.Where(a => a.Kind == PlanActionKind.AwaitWindow).Select(a => a.At).Min();
        foreach (var a in plan.Where(a => a.Kind != PlanActionKind.Unchanged && a.Kind != PlanActionKind.Wait))
            _logger.Log(AttemptLog.LevelOf(a.Kind), "{Action} {Resource}: {Reason}", a.Kind, a.Id, a.Reason);
        return plan;
    }

    /// <summary>Saves what the plan makes of each record (and progress now due for publishing) in one transaction; returns the attempts to start.</summary>
    private List<(ResourceRecord Record, KafkaResource Resource)> Apply(IReadOnlyList<PlanAction> plan, DesiredState desired, string commit)
    {
        var now = _time.GetUtcNow();
        var records = _store.Resources().ToDictionary(r => r.Id);
        var changed = new Dictionary<ResourceId, ResourceRecord>();
        var starts = new List<(ResourceRecord, KafkaResource)>();
        var prune = new List<ResourceId>();
        foreach (var action in plan)
        {
            var rec = changed.TryGetValue(action.Id, out var c) ? c : records.GetValueOrDefault(action.Id);
            desired.Resources.TryGetValue(action.Id, out var d);
            var next = RecordTransitions.ForAction(action, rec, d, commit, now);
            if (next is null) continue;
            if (action.Kind == PlanActionKind.Prune) prune.Add(action.Id);
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
        PhaseChange.Raise(PhaseChanged, PhaseChange.Between(records.GetValueOrDefault, toSave, now), _logger);
        var saved = toSave.ToDictionary(r => r.Id);
        return [.. starts.Select(s => (saved[s.Item1.Id], s.Item2))];
    }

    private async Task<PublishOutcome> PublishAsync(string commit, CancellationToken cancellationToken)
    {
        var publish = await _publisher.PublishAsync(cancellationToken);
        _publishPending = publish == PublishOutcome.Failed;
        var processed = commit;
        if (publish == PublishOutcome.Pushed && !_options.UsesStatusBranch && _git.RemoteTip(_options.Branch) is { } pushed)
            processed = pushed; // our own status commit changes no resource
        _lastCommit = processed;
        _store.LastProcessedCommit = processed;
        Finish(publish);
        return publish;
    }

    /// <summary>Records the runs that ended (and the progress of those still running); returns how many ended.</summary>
    private int RecordCompletions()
    {
        var now = _time.GetUtcNow();
        var updates = new List<ResourceRecord>();
        var before = new Dictionary<ResourceId, ResourceRecord>();
        var completions = _runs.TakeCompletions();
        foreach (var c in completions)
        {
            var rec = updates.LastOrDefault(u => u.Id == c.Id) ?? _store.Find(c.Id);
            if (rec is null || rec.Generation != c.Generation) continue;
            before.TryAdd(rec.Id, rec);
            var next = RecordTransitions.Complete(rec, c, now, _options.RetryBaseDelay, _options.RetryMaxDelay);
            AttemptLog.Ended(_logger, rec, c, next);
            if (next is null) continue;
            updates.Add(PublishPolicy.Apply(next, now, _options.ProgressCommitInterval));
            lock (_touched) _touched.Add(rec.Id);
        }
        // Progress of runs still executing: persisted for the status command, published throttled.
        foreach (var h in _runs.Handles)
        {
            if (h.Latest is not { } details || ReferenceEquals(details, h.Persisted)) continue;
            var rec = _store.Find(h.Id);
            if (rec is null || rec.Generation != h.Generation || rec.Tombstone || details.GetType() != rec.Status.GetType()) continue;
            h.Persisted = details;
            before.TryAdd(rec.Id, rec);
            updates.Add(PublishPolicy.Apply(rec with { Status = rec.Status.WithDetailsFrom(details) }, now, _options.ProgressCommitInterval));
        }
        if (updates.Count > 0) _store.Save(updates);
        PhaseChange.Raise(PhaseChanged, PhaseChange.Between(before.GetValueOrDefault, updates, now), _logger);
        return completions.Count;
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
        if (publish is not null)
            _nextDueAt = DueTimes.Next(_store.Resources(), _plannedAt, _lastDesired, _windowOpensAt, _runs.IsRunning, _options.ProgressCommitInterval, _time.GetUtcNow());
    }

    /// <summary>Stops the loop's runs (they stay Running in the store and resume on the next start).</summary>
    public async ValueTask DisposeAsync()
    {
        await _runs.StopAsync();
        RecordCompletions();
        _runs.RunEnded -= Trigger;
        _runs.StageChanged -= Trigger;
        _runs.Dispose();
        _cycleGate.Dispose();
    }
}
