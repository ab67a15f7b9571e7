using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Reconciler.Status;

/// <summary>Counters of status publishing, for health and metrics.</summary>
public sealed class PublishCounters
{
    private long _commits;
    private long _rejections;
    private long _failures;

    /// <summary>Status commits pushed.</summary>
    public long StatusCommits => Interlocked.Read(ref _commits);

    /// <summary>Pushes refused because the remote moved (each followed by a fetch and rebuild).</summary>
    public long PushRejections => Interlocked.Read(ref _rejections);

    /// <summary>Publishes that gave up after every retry or on a transport error.</summary>
    public long PushFailures => Interlocked.Read(ref _failures);

    /// <summary>The last push error (redacted), cleared by the next successful publish.</summary>
    public string? LastPushError { get; internal set; }

    /// <summary>When <see cref="LastPushError"/> happened.</summary>
    public DateTimeOffset? LastPushErrorAt { get; internal set; }

    internal void Committed() => Interlocked.Increment(ref _commits);

    internal void Rejected() => Interlocked.Increment(ref _rejections);

    internal void Failed() => Interlocked.Increment(ref _failures);
}
