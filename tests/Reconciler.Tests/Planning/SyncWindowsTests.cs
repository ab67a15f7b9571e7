using KafkaRestored.Reconciler.Planning;

namespace KafkaRestored.Reconciler.Tests.Planning;

/// <summary>Issue #17: Argo CD's rules for sync windows, on the time given: deny wins, allow windows are required once any matches, and the opening is the first time both agree.</summary>
public sealed class SyncWindowsTests
{
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A window of <paramref name="hours"/> hours over <paramref name="namespaces"/>.</summary>
    internal static SyncWindow Window(string kind, string schedule, double hours, params string[] namespaces)
    {
        var w = new SyncWindow { Kind = kind, Schedule = schedule, Duration = TimeSpan.FromHours(hours) };
        foreach (var ns in namespaces) w.Namespaces.Add(ns);
        return w;
    }

    [Fact]
    public void Without_a_matching_window_every_start_is_allowed()
    {
        var windows = SyncWindows.From([Window(SyncWindow.Deny, "0 0 * * *", 23, "prod-*")]);
        Assert.Null(windows.Hold("dev", Monday.AddHours(1)));
        Assert.NotNull(windows.Hold("prod-eu", Monday.AddHours(1)));
        Assert.Null(SyncWindows.None.Hold("prod-eu", Monday));
    }

    [Fact]
    public void An_active_deny_window_wins_over_an_active_allow_window_and_the_opening_skips_to_the_next_allowed_time()
    {
        // Allowed 00:00-06:00, denied 02:00-04:00: at 03:00 denied until 04:00; at 07:00 closed until tomorrow 00:00.
        var windows = SyncWindows.From(
        [
            Window(SyncWindow.Allow, "0 0 * * *", 6, "*"),
            Window(SyncWindow.Deny, "0 2 * * *", 2, "team-*"),
        ]);

        var denied = windows.Hold("team-a", Monday.AddHours(3));
        Assert.Equal(("deny window SyncWindows:1 (\"0 2 * * *\" for 02:00:00) is active", Monday.AddHours(4)), (denied!.Why, denied.OpensAt));
        Assert.Null(windows.Hold("team-a", Monday.AddHours(4)));
        Assert.Null(windows.Hold("team-a", Monday.AddHours(1)));
        Assert.Null(windows.Hold("other", Monday.AddHours(3)));

        var closed = windows.Hold("team-a", Monday.AddHours(7));
        Assert.Equal(Monday.AddDays(1), closed!.OpensAt);
        Assert.StartsWith("no allow window is active (SyncWindows:0:", closed.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deny_window_ending_outside_every_allow_window_opens_at_the_next_allow_window()
    {
        // Allowed only on the 1st of a month from 00:00 for 3 h; denied every day 00:00-05:00: the first start allowed is never within a year.
        var never = SyncWindows.From([Window(SyncWindow.Allow, "0 0 1 * *", 3, "*"), Window(SyncWindow.Deny, "0 0 * * *", 5, "*")]);
        Assert.Null(never.Hold("a", Monday.AddHours(1))!.OpensAt);

        // Allowed 04:00-06:00, denied 00:00-05:00: at 01:00 the opening is 05:00 (deny ends inside the allow window).
        var later = SyncWindows.From([Window(SyncWindow.Allow, "0 4 * * *", 2, "*"), Window(SyncWindow.Deny, "0 0 * * *", 5, "*")]);
        Assert.Equal(Monday.AddHours(5), later.Hold("a", Monday.AddHours(1))!.OpensAt);
    }

    [Fact]
    public void A_schedule_firing_every_second_is_one_lookup_and_a_deny_window_always_active_never_opens()
    {
        // Every second for a day: the whole horizon is covered; a search walking each occurrence would not finish in time.
        var always = SyncWindows.From([Window(SyncWindow.Deny, "* * * * * *", 24, "*")]);
        var hold = always.Hold("a", Monday);
        Assert.Equal("deny window SyncWindows:0 (\"* * * * * *\" for 1.00:00:00) is active", hold!.Why);
        Assert.Null(hold.OpensAt);
        Assert.Null(SyncWindows.From([Window(SyncWindow.Allow, "* * * * * *", 24 * 366, "*")]).Hold("a", Monday));
    }
}
