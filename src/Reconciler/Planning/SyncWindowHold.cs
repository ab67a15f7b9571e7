namespace KafkaRestored.Reconciler.Planning;

/// <summary>Why the sync windows refuse a start now, and when they next allow one (null: not within a year).</summary>
/// <param name="Why">Which window refuses it, e.g. <c>deny window SyncWindows:0 ("0 22 * * *" for 08:00:00) is active</c>.</param>
/// <param name="OpensAt">The first time a start is allowed again.</param>
public sealed record SyncWindowHold(string Why, DateTimeOffset? OpensAt);
