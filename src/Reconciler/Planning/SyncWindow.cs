using KafkaRestored.Restore.Scheduling;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>
/// One sync window of the host settings (<c>SyncWindows:N</c>), as in Argo CD: from each time
/// <see cref="Schedule"/> fires, for <see cref="Duration"/>, starting work in the matching
/// <see cref="Namespaces"/> is allowed (<c>allow</c>) or refused (<c>deny</c>).
/// </summary>
public sealed class SyncWindow
{
    /// <summary>Kind that refuses starts while active.</summary>
    public const string Deny = "deny";

    /// <summary>Kind that, when any exists for a namespace, is required to be active for a start.</summary>
    public const string Allow = "allow";

    /// <summary>The longest window: a year and a day.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(366);

    /// <summary><c>allow</c> or <c>deny</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Cron schedule of the window's openings (5 fields, or 6 with seconds; macros; <c>CRON_TZ=</c> prefix).</summary>
    public string Schedule { get; set; } = "";

    /// <summary>How long the window lasts from each opening.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>IANA zone the schedule is read in when it has no prefix of its own; UTC when unset.</summary>
    public string? TimeZone { get; set; }

    /// <summary>Namespace patterns the window applies to (<c>*</c> matches any run of characters, as in the policy).</summary>
    public IList<string> Namespaces { get; init; } = [];

    /// <summary>Every problem of the window at <paramref name="key"/> (e.g. <c>SyncWindows:0</c>), each naming the field and what to write.</summary>
    public IReadOnlyList<string> Validate(string key)
    {
        var errors = new List<string>();
        if (Kind is not (Allow or Deny))
            errors.Add($"{key}:Kind is '{Kind}'; write \"allow\" (starts only inside the window) or \"deny\" (no start inside the window).");
        if (CronSchedule.TryParse(Schedule ?? "", TimeZone, out var error) is null)
            errors.Add($"{key}:Schedule {error}.");
        if (Duration <= TimeSpan.Zero || Duration > MaxDuration)
            errors.Add($"{key}:Duration must be positive and at most 366 days: how long the window lasts from each opening (e.g. \"01:00:00\" for an hour).");
        if (Namespaces.Count == 0)
            errors.Add($"{key}:Namespaces is empty; list the namespaces it applies to (patterns with *, e.g. [\"prod-*\"], or [\"*\"] for all).");
        for (var i = 0; i < Namespaces.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Namespaces[i]))
                errors.Add($"{key}:Namespaces:{i} is empty; remove it or write a namespace pattern (* alone matches every namespace).");
        }
        return errors;
    }
}
