using System.Globalization;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Scheduling;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>
/// The host's sync windows, evaluated (Argo CD's rules): an active <c>deny</c> window matching a
/// namespace refuses a start; when any <c>allow</c> window matches it, one of them must be active.
/// A window only gates starts: what already runs is never stopped. Pure: the time is given.
/// </summary>
public sealed class SyncWindows
{
    /// <summary>How far ahead the next opening is looked for before "not within a year" is said.</summary>
    private static readonly TimeSpan Horizon = TimeSpan.FromDays(366);

    private readonly List<Compiled> _windows;

    private SyncWindows(List<Compiled> windows) => _windows = windows;

    /// <summary>No windows: every start is allowed.</summary>
    public static SyncWindows None { get; } = new([]);

    /// <summary>The windows of the settings (validated with <see cref="SyncWindow.Validate"/>; an invalid one is skipped).</summary>
    public static SyncWindows From(IEnumerable<SyncWindow>? windows)
    {
        var compiled = new List<Compiled>();
        foreach (var (w, i) in (windows ?? []).Select((w, i) => (w, i)))
        {
            if (w.Validate("").Count > 0 || CronSchedule.TryParse(w.Schedule, w.TimeZone, out _) is not { } schedule) continue;
            compiled.Add(new Compiled(i, w.Kind == SyncWindow.Deny, schedule, w.Duration, [.. w.Namespaces]));
        }
        return new SyncWindows(compiled);
    }

    /// <summary>True when no window is configured.</summary>
    public bool IsEmpty => _windows.Count == 0;

    /// <summary>Null when work in <paramref name="ns"/> may start at <paramref name="now"/>; else why not and when it may.</summary>
    public SyncWindowHold? Hold(string ns, DateTimeOffset now)
    {
        var applying = _windows.Where(w => PolicyPattern.AnyMatches(w.Namespaces, ns)).ToList();
        if (applying.Count == 0) return null;
        var why = Blocker(applying, now);
        if (why is null) return null;
        return new SyncWindowHold(why, NextOpening(applying, now));
    }

    /// <summary>Why a start is refused at <paramref name="at"/>, or null when it is allowed.</summary>
    private static string? Blocker(List<Compiled> applying, DateTimeOffset at)
    {
        if (applying.FirstOrDefault(w => w.Deny && w.EndOfActive(at) is not null) is { } deny)
            return $"deny window SyncWindows:{deny.Index} ({deny.Describe()}) is active";
        var allows = applying.Where(w => !w.Deny).ToList();
        if (allows.Count == 0 || allows.Any(w => w.EndOfActive(at) is not null)) return null;
        return $"no allow window is active (SyncWindows:{string.Join(", SyncWindows:", allows.Select(w => w.Index))}: {string.Join("; ", allows.Select(w => w.Describe()))})";
    }

    /// <summary>The first time after <paramref name="now"/> at which a start is allowed, or null when none within <see cref="Horizon"/>.</summary>
    private static DateTimeOffset? NextOpening(List<Compiled> applying, DateTimeOffset now)
    {
        var t = now;
        // Each step moves to the end of an active deny window or the next opening of an allow window: few steps in practice.
        for (var step = 0; step < 10_000 && t - now <= Horizon; step++)
        {
            if (Blocker(applying, t) is null) return t;
            var denyEnds = applying.Where(w => w.Deny).Select(w => w.EndOfActive(t)).OfType<DateTimeOffset>().ToList();
            DateTimeOffset? next = denyEnds.Count > 0
                ? denyEnds.Max()
                : applying.Where(w => !w.Deny).Select(w => w.Schedule.Next(t)).OfType<DateTimeOffset>().DefaultIfEmpty().Min();
            if (next is not { } n || n == default || n <= t) return null;
            t = n;
        }
        return null;
    }

    private sealed record Compiled(int Index, bool Deny, CronSchedule Schedule, TimeSpan Duration, List<string> Namespaces)
    {
        /// <summary>When the earliest opening covering <paramref name="at"/> ends, or null when none does; one lookup, however often the schedule fires.</summary>
        public DateTimeOffset? EndOfActive(DateTimeOffset at)
        {
            // An opening t covers at when at - Duration < t <= at: the first one after at - Duration decides.
            var opened = Schedule.Next(at - Duration);
            return opened is { } o && o <= at ? o + Duration : null;
        }

        public string Describe() => $"\"{Schedule.Text}\" for {Duration.ToString("c", CultureInfo.InvariantCulture)}";
    }
}
