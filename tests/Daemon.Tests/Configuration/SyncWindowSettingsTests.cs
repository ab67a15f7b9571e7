using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Configuration;

/// <summary>Issue #17: the SyncWindows host settings bind from files and the environment, and every mistake is named with what to write.</summary>
public sealed class SyncWindowSettingsTests
{
    private static readonly Dictionary<string, string?> None = [];

    [Fact]
    public void Sync_windows_bind_from_the_settings_file_and_the_environment()
    {
        using var dir = new TempDir();
        var file = dir.Combine("kafka-restored.json");
        File.WriteAllText(file, """
            {"RepositoryUrl": "https://h/r.git",
             "SyncWindows": [
               {"Kind": "deny", "Schedule": "0 22 * * 1-5", "Duration": "08:00:00", "Namespaces": ["prod-*", "payments"]},
               {"Kind": "allow", "Schedule": "CRON_TZ=Europe/Berlin 0 2 * * *", "Duration": "01:00:00", "Namespaces": ["*"]}
             ]}
            """);
        var env = new Dictionary<string, string?> { ["KAFKA_RESTORED_SyncWindows__1__Duration"] = "02:00:00" };

        var options = ReconcilerSettings.Load(file, None, env);

        Assert.Empty(options.Validate());
        Assert.Equal(2, options.SyncWindows.Count);
        Assert.Equal((SyncWindow.Deny, "0 22 * * 1-5", TimeSpan.FromHours(8)), (options.SyncWindows[0].Kind, options.SyncWindows[0].Schedule, options.SyncWindows[0].Duration));
        Assert.Equal(["prod-*", "payments"], options.SyncWindows[0].Namespaces);
        Assert.Equal(TimeSpan.FromHours(2), options.SyncWindows[1].Duration);
    }

    [Fact]
    public void Each_invalid_window_field_is_named_with_what_to_write()
    {
        var options = ReconcilerSettings.Load(null, new Dictionary<string, string?>
        {
            ["RepositoryUrl"] = "https://h/r.git",
            ["SyncWindows:0:Kind"] = "block",
            ["SyncWindows:0:Schedule"] = "every night",
            ["SyncWindows:0:Namespaces:0"] = "prod",
            ["SyncWindows:1:Kind"] = "allow",
            ["SyncWindows:1:Schedule"] = "0 2 * * *",
            ["SyncWindows:1:Duration"] = "01:00:00",
            ["SyncWindows:1:TimeZone"] = "Mars/Olympus",
            ["SyncWindows:2:Kind"] = "deny",
            ["SyncWindows:2:Schedule"] = "@daily",
            ["SyncWindows:2:Duration"] = "01:00:00",
            ["SyncWindows:2:Namespaces:0"] = " ",
        }, None);

        var problems = options.Validate();

        Assert.Equal(
        [
            "SyncWindows:0:Kind is 'block'; write \"allow\" (starts only inside the window) or \"deny\" (no start inside the window).",
            "SyncWindows:0:Schedule \"every night\" has 2 field(s); write 5 (minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\") or 6 with seconds first.",
            "SyncWindows:0:Duration must be positive and at most 366 days: how long the window lasts from each opening (e.g. \"01:00:00\" for an hour).",
            "SyncWindows:1:Schedule time zone \"Mars/Olympus\" is not known on this host; write an IANA name such as \"Europe/Berlin\" or \"UTC\".",
            "SyncWindows:1:Namespaces is empty; list the namespaces it applies to (patterns with *, e.g. [\"prod-*\"], or [\"*\"] for all).",
            "SyncWindows:2:Namespaces:0 is empty; remove it or write a namespace pattern (* alone matches every namespace).",
        ], problems);

        // Positive control: the same windows written right are valid.
        options.SyncWindows[0].Kind = "deny";
        options.SyncWindows[0].Schedule = "0 22 * * *";
        options.SyncWindows[0].Duration = TimeSpan.FromHours(8);
        options.SyncWindows[1].TimeZone = "Europe/Berlin";
        options.SyncWindows[1].Namespaces.Add("*");
        options.SyncWindows[2].Namespaces[0] = "team-*";
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void An_unknown_window_field_is_an_error_at_its_line_and_column_with_did_you_mean_and_in_the_environment_too()
    {
        using var dir = new TempDir();
        var file = dir.Combine("kafka-restored.json");
        File.WriteAllText(file, """
            {
              "SyncWindows": [{"Kind": "deny", "Schedul": "0 22 * * *", "Duration": "08:00:00", "Namespaces": {"a": "b"}}],
              "SyncWindow": []
            }
            """);

        var e = Assert.Throws<SettingsException>(() => ReconcilerSettings.Load(file, None, None));

        Assert.Equal(
        [
            $"{file}:2:36: unknown sync window field SyncWindows:0:Schedul (did you mean SyncWindows:0:Schedule?): a sync window holds only Kind, Schedule, Duration, TimeZone, Namespaces.",
            $"{file}:2:100: SyncWindows:0:Namespaces:a is not a place for a value: SyncWindows:0:Namespaces is a list (e.g. [\"value-a\", \"value-b\"]).",
            $"{file}:3:3: unknown setting SyncWindow (did you mean SyncWindows?): nothing reads it, so the default would be used without a word; the settings are listed in the README under Configuration.",
        ], e.Problems);

        var env = new Dictionary<string, string?> { ["KAFKA_RESTORED_SyncWindows__0__Namespace__0"] = "prod" };
        var fromEnv = Assert.Throws<SettingsException>(() => ReconcilerSettings.Load(null, None, env));
        Assert.Equal(
            ["environment variable KAFKA_RESTORED_SyncWindows__0__Namespace__0: unknown sync window field KAFKA_RESTORED_SyncWindows__0__Namespace (did you mean KAFKA_RESTORED_SyncWindows__0__Namespaces?): a sync window holds only Kind, Schedule, Duration, TimeZone, Namespaces."],
            fromEnv.Problems);

        // Positive control: spelt right, the environment variable is read.
        env = new Dictionary<string, string?> { ["KAFKA_RESTORED_SyncWindows__0__Namespaces__0"] = "prod" };
        Assert.Equal(["prod"], ReconcilerSettings.Load(null, None, env).SyncWindows[0].Namespaces);
    }
}
