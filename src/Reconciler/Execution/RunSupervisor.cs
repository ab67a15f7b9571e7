using System.Collections.Concurrent;
using KafkaRestored.Reconciler.Coordination;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.Live;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>
/// The runs in flight: starts each attempt on a worker with one token that deletion, the attempt's
/// deadline (job.activeDeadlineSeconds) and shutdown all cancel, queues how each run ended, and waits
/// for cancelled runs to stop. It writes no resource record: the cycle takes the completions and
/// records them, so a finishing run and a cycle never overwrite each other.
/// </summary>
public sealed class RunSupervisor : IDisposable
{
    private static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, IResourceRunner> _runners;
    private readonly StateStore _store;
    private readonly SharedRunState? _shared;
    private readonly SecretStore _secrets;
    private readonly HostPolicy? _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<ResourceId, RunHandle> _runs = new();
    private readonly ConcurrentQueue<(RunHandle Handle, RunOutcome Outcome)> _completions = new();
    private readonly CancellationTokenSource _shutdown = new();
    private CancellationTokenSource _standDown = new();
    private int _progressReported;

    /// <summary>
    /// Creates the supervisor with one runner per kind; runs read and write run data in <paramref name="store"/> (and, in distributed
    /// mode, write restore state to <paramref name="shared"/> first) and check <paramref name="policy"/> again before executing.
    /// </summary>
    public RunSupervisor(IEnumerable<IResourceRunner> runners, StateStore store, SecretStore secrets, HostPolicy? policy, TimeProvider time, ILogger logger,
        SharedRunState? shared = null)
    {
        _shared = shared;
        _runners = runners.ToDictionary(r => r.Kind);
        _store = store;
        _secrets = secrets;
        _policy = policy;
        _time = time;
        _logger = logger;
    }

    /// <summary>Distributed mode with a units topic: what spreads a restore over the members.</summary>
    public UnitDispatcher? Units { get; init; }

    /// <summary>Raised on the worker when a run has ended and its completion is queued.</summary>
    public event Action? RunEnded;

    /// <summary>Raised on the worker when a run reports a stage change (<see cref="ResourceStatus.IsNewsComparedTo"/>), so a cycle commits it soon.</summary>
    public event Action? StageChanged;

    /// <summary>Resources executing now.</summary>
    public IReadOnlyCollection<ResourceId> InFlight => [.. _runs.Keys];

    /// <summary>Number of resources executing now.</summary>
    public int Count => _runs.Count;

    /// <summary>The restore state keys (resource and generation) of the runs in flight.</summary>
    public IReadOnlySet<string> RestoreKeysInFlight => _runs.Values.Select(h => LiteDbRestoreStateStore.RestoreKey(h.Id, h.Generation)).ToHashSet(StringComparer.Ordinal);

    /// <summary>True when a completion waits to be recorded.</summary>
    public bool HasCompletions => !_completions.IsEmpty;

    /// <summary>True when nothing executes and no completion waits.</summary>
    public bool IsIdle => _runs.IsEmpty && _completions.IsEmpty;

    /// <summary>The runs in flight, for persisting their progress.</summary>
    internal IEnumerable<RunHandle> Handles => _runs.Values;

    /// <summary>Live snapshots of the runs in flight that reported full progress (immutable; safe from any thread).</summary>
    public IReadOnlyList<LiveRun> Live => [.. _runs.Values.Select(h => h.Live).OfType<LiveRun>()];

    /// <summary>True when <paramref name="id"/> is executing.</summary>
    public bool IsRunning(ResourceId id) => _runs.ContainsKey(id);

    /// <summary>True (once) when a run reported progress since the last call.</summary>
    public bool TakeProgressReported() => Interlocked.Exchange(ref _progressReported, 0) != 0;

    /// <summary>Starts the attempt <paramref name="record"/> describes (already saved as Running) on a worker; <paramref name="desired"/> is the commit's desired state it started from.</summary>
    public void Start(ResourceRecord record, KafkaResource resource, DesiredState? desired = null)
    {
        var deletion = new CancellationTokenSource();
        CancellationTokenSource? deadline = null;
        if (record.Job.ActiveDeadlineSeconds is { } seconds)
        {
            var remaining = (record.AttemptStartedAt ?? _time.GetUtcNow()).AddSeconds(seconds) - _time.GetUtcNow();
            deadline = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time);
        }
        var standDown = _standDown.Token;
        var linked = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token, standDown, deletion.Token, deadline?.Token ?? CancellationToken.None);
        var handle = new RunHandle(record.Id, record.Generation, deletion, deadline, linked) { StandDown = standDown };
        _runs[record.Id] = handle;
        var context = new RunContext(record.Id, record.Generation, record.Attempts, record.Status.SourceRevision ?? "", _store, _shared, _secrets, _time, _logger,
            details =>
            {
                var news = handle.Latest is { } before ? details.IsNewsComparedTo(before) : details.IsNewsComparedTo(record.Status);
                handle.Latest = details;
                Interlocked.Exchange(ref _progressReported, 1);
                if (news) StageChanged?.Invoke();
            })
        {
            Policy = _policy,
            Units = Units,
            EndsForGood = () => deletion.IsCancellationRequested || deadline?.IsCancellationRequested == true,
            Status = record.Status,
            Desired = desired?.Resources ?? new Dictionary<ResourceId, DesiredResource>(),
            OnLive = update => handle.Live = LiveRun.From(record.Id, record.Generation, record.Attempts, update, handle.Live, _time.GetUtcNow()),
        };
        handle.Task = Task.Run(async () =>
        {
            // A message-template scope prints as "KafkaRestore ns/name generation N" and still carries the values as fields.
            using var scope = _logger.BeginScope("{Resource} generation {Generation}", record.Id.ToString(), record.Generation);
            var outcome = await ExecuteAsync(resource, context, linked);
            _completions.Enqueue((handle, outcome));
            RunEnded?.Invoke();
        }, CancellationToken.None);
    }

    private async Task<RunOutcome> ExecuteAsync(KafkaResource resource, RunContext context, CancellationTokenSource linked)
    {
        if (!_runners.TryGetValue(context.Id.Kind, out var runner))
            return RunOutcome.Failed(FailureReason.NoRunner, $"This kafka-restored build cannot execute {context.Id.Kind} resources yet.");
        if (PolicyEvaluator.Evaluate(context.Policy, resource) is { Count: > 0 } denials)
        {
            // Defense in depth: the planner already refused denied resources; a folder's links may have changed since.
            return RunOutcome.Failed(FailureReason.PolicyDenied, "The host policy denies this resource; nothing was executed: " + string.Join("; ", denials.Select(d => d.ToString())));
        }
        try
        {
            return await runner.RunAsync(resource, context, linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            return RunOutcome.Cancelled("The attempt was cancelled.");
        }
        catch (StateStoreException e) when (e.Reason == FailureReason.StateStoreUnwritable.Name)
        {
            // The host's disk, not the resource: no stack trace, the reason says it, and the next attempt resumes from the last save.
            _logger.LogWarning("{Resource}: the state store could not be written: {Error}", context.Id, e.Message);
            return RunOutcome.Failed(FailureReason.StateStoreUnwritable, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError(e, "Runner for {Resource} threw", context.Id);
            // The status lands in Git: URL credentials are stripped; the stack trace stays in the daemon's log.
            return RunOutcome.Failed(FailureReason.UnexpectedError,
                $"{e.GetType().Name}: {UrlRedaction.Redact(e.Message)} (the daemon log has the stack trace)");
        }
    }

    /// <summary>Takes every queued completion (in the order the runs ended), each no longer in flight.</summary>
    public IReadOnlyList<RunCompletion> TakeCompletions()
    {
        var taken = new List<RunCompletion>();
        while (_completions.TryDequeue(out var c))
        {
            var h = c.Handle;
            _runs.TryRemove(new KeyValuePair<ResourceId, RunHandle>(h.Id, h));
            taken.Add(new RunCompletion(h.Id, h.Generation, c.Outcome, h.Latest, h.Deletion.IsCancellationRequested,
                h.Deadline?.IsCancellationRequested == true, _shutdown.IsCancellationRequested || h.StandDown.IsCancellationRequested));
            h.Dispose();
        }
        return taken;
    }

    /// <summary>
    /// Cancels the runs of <paramref name="ids"/> (their YAML was deleted) and waits up to 30 seconds
    /// for them to stop. Returns false when none of them was running.
    /// </summary>
    public async Task<bool> CancelAsync(IEnumerable<ResourceId> ids)
    {
        var handles = ids.Select(id => _runs.TryGetValue(id, out var h) ? h : null).OfType<RunHandle>().ToList();
        if (handles.Count == 0) return false;
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
        return true;
    }

    /// <summary>Cancels every run for shutdown and waits up to 30 seconds for them to stop (they stay Running in the store).</summary>
    public async Task StopAsync()
    {
        await _shutdown.CancelAsync();
        await WaitForRunsAsync("at shutdown");
    }

    /// <summary>
    /// Cancels every run as a shutdown does, because this daemon no longer leads (they stay Running in the store, to
    /// resume where this daemon leads again), and waits up to 30 seconds for them to stop; later runs start afresh.
    /// </summary>
    public async Task StandDownAsync()
    {
        var old = Interlocked.Exchange(ref _standDown, new CancellationTokenSource());
        await old.CancelAsync();
        // Not disposed: the handles of the cancelled runs read its token until their completions are taken.
        await WaitForRunsAsync("after leadership was lost");
    }

    private async Task WaitForRunsAsync(string when)
    {
        var tasks = _runs.Values.Select(h => h.Task).ToList();
        try
        {
            await Task.WhenAll(tasks).WaitAsync(CancelWait);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Runs did not stop within {Wait} {When}", CancelWait, when);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _shutdown.Dispose();
        _standDown.Dispose();
    }
}
