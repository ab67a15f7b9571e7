using KafkaRestored.Restore.Scheduling;

namespace KafkaRestored.Restore.Tests.Scheduling;

/// <summary>Cron schedules in the forms Kubernetes and OSO write them, and refusals that say what to write.</summary>
public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 28, 12, 0, 0, TimeSpan.Zero);

    private static CronSchedule Parse(string text, string? zone = null) =>
        CronSchedule.TryParse(text, zone, out var error) ?? throw new InvalidOperationException(error);

    [Fact]
    public void Five_fields_are_read_in_utc()
    {
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 2, 0, 0, TimeSpan.Zero), Parse("0 2 * * *").Next(Noon));
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 12, 15, 0, TimeSpan.Zero), Parse("*/15 * * * *").Next(Noon));
    }

    [Fact]
    public void Six_fields_take_seconds_first_as_oso_writes_them()
    {
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 12, 0, 30, TimeSpan.Zero), Parse("30 * * * * *").Next(Noon));
    }

    [Fact]
    public void A_zone_from_the_prefix_or_the_caller_shifts_the_fields_and_keeps_daylight_saving_right()
    {
        // Berlin moves from UTC+1 to UTC+2 on 2026-03-29: 02:00 local does not exist that day, Cronos runs it at 03:00 local (01:00 UTC).
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), Parse("CRON_TZ=Europe/Berlin 0 2 * * *").Next(Noon)!.Value.ToUniversalTime());
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 0, 0, 0, TimeSpan.Zero), Parse("0 2 * * *", "Europe/Berlin").Next(Noon.AddDays(1))!.Value.ToUniversalTime());
    }

    [Fact]
    public void Previous_finds_the_last_slot_so_a_missed_schedule_runs_once_not_once_per_slot()
    {
        var hourly = Parse("0 * * * *");
        Assert.Equal(Noon, hourly.Previous(Noon.AddMinutes(59), TimeSpan.FromDays(1)));
        Assert.Null(Parse("0 0 1 1 *").Previous(Noon, TimeSpan.FromDays(1)));
    }

    [Theory]
    [InlineData("0 2 * *", null, "has 4 field(s)")]
    [InlineData("61 2 * * *", null, "is not a cron schedule")]
    [InlineData("0 2 * * *", "Mars/Olympus", "time zone \"Mars/Olympus\" is not known")]
    [InlineData("CRON_TZ=UTC", null, "no schedule after it")]
    public void Bad_schedules_are_refused_with_what_to_write(string text, string? zone, string expected)
    {
        Assert.Null(CronSchedule.TryParse(text, zone, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains("write", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Macros_are_accepted()
    {
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 0, 0, 0, TimeSpan.Zero), Parse("@daily").Next(Noon));
    }
}
