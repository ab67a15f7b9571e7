using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Daemon.Notifications;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Configuration;

/// <summary>Issue #17: the Notifications host settings bind, and every mistake (a URL written where a secret file belongs, a filter value that matches nothing, a misspelt field) is named.</summary>
public sealed class NotificationSettingsTests
{
    private static readonly Dictionary<string, string?> None = [];

    private static DaemonOptions Load(string file, IReadOnlyDictionary<string, string?>? env = null) =>
        ReconcilerSettings.Bind<DaemonOptions>(ReconcilerSettings.BuildConfiguration(file, None, env ?? None));

    [Fact]
    public void Notification_targets_bind_with_their_filters_and_validate()
    {
        using var dir = new TempDir();
        var url = dir.Combine("slack-url");
        File.WriteAllText(url, "https://hooks.slack.example/services/T/B/x\n");
        var file = dir.Combine("kafka-restored.json");
        File.WriteAllText(file, $$"""
            {"Notifications": [
               {"Provider": "alertmanager", "Url": "http://127.0.0.1:9093", "Severities": ["critical"], "Namespaces": ["prod-*"]},
               {"Provider": "slack", "UrlFile": "{{url}}", "Phases": ["Failed", "Completed"], "Kinds": ["KafkaRestore"]}
             ]}
            """);

        var daemon = Load(file, new Dictionary<string, string?> { ["KAFKA_RESTORED_Notifications__0__Severities__1"] = "warning" });

        Assert.Empty(daemon.Validate());
        Assert.Equal(["critical", "warning"], daemon.Notifications[0].Severities);
        Assert.Equal((NotificationTarget.Slack, url), (daemon.Notifications[1].Provider, daemon.Notifications[1].UrlFile));
        Assert.Equal(["Failed", "Completed"], daemon.Notifications[1].Phases);
    }

    [Fact]
    public void Each_invalid_target_is_named_with_what_to_write()
    {
        var daemon = new DaemonOptions();
        daemon.Notifications.Add(new NotificationTarget { Provider = "pagerduty" });
        daemon.Notifications.Add(new NotificationTarget { Provider = "slack", Url = "https://hooks.slack.example/services/T/B/secret" });
        daemon.Notifications.Add(new NotificationTarget { Provider = "webhook", UrlFile = "/nonexistent/url" });
        var filters = new NotificationTarget { Provider = "alertmanager", Url = "ftp://am" };
        filters.Phases.Add("Done");
        filters.Severities.Add("high");
        filters.Kinds.Add("KafkaRestor");
        daemon.Notifications.Add(filters);

        Assert.Equal(
        [
            "Notifications:0:Provider is 'pagerduty'; write \"webhook\", \"slack\" or \"alertmanager\".",
            "Notifications:1:Url is set, but a slack URL is a credential: write it to a file (mode 0600) and set Notifications:1:UrlFile instead.",
            "Notifications:1:UrlFile is required for slack: a file (mode 0600) holding the URL to post to.",
            "Notifications:2:UrlFile /nonexistent/url does not exist; create it (mode 0600) or change Notifications:2:UrlFile.",
            "Notifications:2:SecretFile is required for webhook: a file (mode 0600) holding the key the body is signed with (X-Hub-Signature-256).",
            "Notifications:3:Url is 'ftp://am'; write an http:// or https:// URL.",
            "Notifications:3:Kinds:0 is 'KafkaRestor'; write one of KafkaRestore, KafkaOffsetReset, KafkaOffsetRollback, KafkaBackup, KafkaRestoreDrill.",
            "Notifications:3:Phases:0 is 'Done'; write one of Pending, Running, Completed, Failed.",
            "Notifications:3:Severities:0 is 'high'; write one of info, warning, critical.",
        ], daemon.Validate());
    }

    [Fact]
    public void A_misspelt_target_field_is_an_error_at_its_line_and_column_with_did_you_mean()
    {
        using var dir = new TempDir();
        var file = dir.Combine("kafka-restored.json");
        File.WriteAllText(file, """
            {
              "Notifications": [{"Provider": "alertmanager", "Url": "http://127.0.0.1:9093", "Phase": ["Failed"]}]
            }
            """);

        var e = Assert.Throws<SettingsException>(() => Load(file));

        Assert.Equal(
            $"{file}:2:82: unknown notification target field Notifications:0:Phase (did you mean Notifications:0:Phases?): a notification target holds only Provider, Url, UrlFile, SecretFile, Kinds, Namespaces, Phases, Severities.",
            Assert.Single(e.Problems));
        // Positive control: spelt right, it loads.
        File.WriteAllText(file, """{"Notifications": [{"Provider": "alertmanager", "Url": "http://127.0.0.1:9093", "Phases": ["Failed"]}]}""");
        Assert.Equal(["Failed"], Load(file).Notifications[0].Phases);
    }
}
