using KafkaRestored.Daemon.Configuration;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Configuration;

/// <summary>Distributed mode's settings: off by default, validated by name, secret files read at start and never printed.</summary>
public sealed class CoordinationSettingsTests
{
    private static CoordinationOptions Bind(Dictionary<string, string?> settings) =>
        ReconcilerSettings.Bind<CoordinationOptions>(ReconcilerSettings.BuildConfiguration(null, settings, new Dictionary<string, string?>()));

    [Fact]
    public void Unset_means_single_instance_mode_with_the_defaults()
    {
        var options = Bind([]);

        Assert.False(options.Enabled);
        Assert.Empty(options.Validate());
        Assert.Equal(Environment.MachineName, options.EffectiveInstanceId);
        Assert.Equal("kafka-restored", options.CoordinationGroupId);
        Assert.Equal("kafka-restored-coordination", options.CoordinationTopic);
    }

    [Fact]
    public void Settings_bind_from_the_environment_and_validate()
    {
        var options = ReconcilerSettings.Bind<CoordinationOptions>(ReconcilerSettings.BuildConfiguration(null, new Dictionary<string, string?>(), new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_CoordinationBootstrapServers"] = "kafka-1:9092, kafka-2:9092",
            ["KAFKA_RESTORED_InstanceId"] = "host-a",
            ["KAFKA_RESTORED_CoordinationSessionTimeout"] = "00:00:10",
        }));

        Assert.True(options.Enabled);
        Assert.Empty(options.Validate());
        Assert.Equal(["kafka-1:9092", "kafka-2:9092"], options.BootstrapList);
        Assert.Equal("host-a", options.EffectiveInstanceId);
        Assert.Equal(TimeSpan.FromSeconds(10), options.CoordinationSessionTimeout);
    }

    [Fact]
    public void Bad_settings_are_reported_by_name()
    {
        var problems = Bind(new()
        {
            ["CoordinationBootstrapServers"] = "kafka-1,kafka-2:9092",
            ["CoordinationSecurityProtocol"] = "SASL_SSL",
            ["CoordinationSaslMechanism"] = "GSSAPI",
            ["CoordinationTlsCertFile"] = "/nonexistent/cert.pem",
            ["CoordinationTopic"] = "bad topic",
            ["CoordinationSessionTimeout"] = "00:00:00.500",
            ["InstanceId"] = "a/b",
        }).Validate();

        Assert.Contains("InstanceId 'a/b' must be 1-64 letters, digits, '.', '_' or '-' (it names this daemon in status commits); set InstanceId.", problems);
        Assert.Contains("CoordinationBootstrapServers entry 'kafka-1' is not host:port (e.g. kafka-1:9092,kafka-2:9092).", problems);
        Assert.Contains("CoordinationSaslMechanism must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got 'GSSAPI'.", problems);
        Assert.Contains(problems, p => p.StartsWith("CoordinationSecurityProtocol SASL_SSL needs CoordinationSaslUsernameFile and CoordinationSaslPasswordFile", StringComparison.Ordinal));
        Assert.Contains("CoordinationTlsCertFile /nonexistent/cert.pem does not exist; write the PEM file there or unset CoordinationTlsCertFile.", problems);
        Assert.Contains("CoordinationTlsCertFile and CoordinationTlsKeyFile go together (mutual TLS): set both or neither.", problems);
        Assert.Contains("CoordinationTopic 'bad topic' is not a Kafka topic name (1-249 letters, digits, '.', '_' or '-').", problems);
        Assert.Contains(problems, p => p.StartsWith("CoordinationSessionTimeout must be between 00:00:01 and 00:30:00", StringComparison.Ordinal));
    }

    [Fact]
    public void Restores_are_spread_over_a_units_topic_by_default_and_an_empty_one_spreads_nothing()
    {
        var on = Bind(new() { ["CoordinationBootstrapServers"] = "kafka-1:9092" });
        var off = Bind(new() { ["CoordinationBootstrapServers"] = "kafka-1:9092", ["CoordinationUnitsTopic"] = "" });

        Assert.Empty(on.Validate());
        Assert.True(on.UnitsEnabled);
        Assert.Equal("kafka-restored-units", on.CoordinationUnitsTopic);
        Assert.Equal(12, on.CoordinationUnitsPartitions);
        Assert.Equal(1_000_000, on.CoordinationSpreadMinRecords);
        Assert.Empty(off.Validate());
        Assert.False(off.UnitsEnabled);
        Assert.False(Bind([]).UnitsEnabled);
    }

    [Fact]
    public void Bad_units_settings_are_reported_by_name()
    {
        var problems = Bind(new()
        {
            ["CoordinationBootstrapServers"] = "kafka-1:9092",
            ["CoordinationUnitsTopic"] = "kafka-restored-state",
            ["CoordinationUnitsPartitions"] = "0",
            ["CoordinationSpreadMinRecords"] = "-1",
        }).Validate();
        var badName = Bind(new() { ["CoordinationBootstrapServers"] = "kafka-1:9092", ["CoordinationUnitsTopic"] = "units/a" }).Validate();
        var standalone = Bind(new() { ["CoordinationUnitsPartitions"] = "24" }).Validate();

        Assert.Contains("CoordinationUnitsTopic 'kafka-restored-state' is also the coordination or state topic: the units topic needs a name of its own.", problems);
        Assert.Contains("CoordinationUnitsPartitions must be between 1 and 1000 (the slots a restore is spread over), got 0.", problems);
        Assert.Contains("CoordinationSpreadMinRecords must be 0 (spread every restore) or more, got -1.", problems);
        Assert.Equal(["CoordinationSpreadMinRecords take effect only in distributed mode: set CoordinationBootstrapServers, or remove them."],
            Bind(new() { ["CoordinationSpreadMinRecords"] = "0" }).Validate());
        Assert.Equal(["CoordinationUnitsTopic 'units/a' is not a Kafka topic name (1-249 letters, digits, '.', '_' or '-'); set it to \"\" to spread nothing."], badName);
        Assert.Equal(["CoordinationUnitsPartitions take effect only in distributed mode: set CoordinationBootstrapServers, or remove them."], standalone);
    }

    [Fact]
    public void Coordination_settings_without_the_bootstrap_servers_are_an_error_not_ignored()
    {
        var problems = Bind(new() { ["CoordinationGroupId"] = "team-a", ["CoordinationSaslPasswordFile"] = "/x" }).Validate();

        Assert.Equal(["CoordinationSaslPasswordFile, CoordinationGroupId take effect only in distributed mode: set CoordinationBootstrapServers, or remove them."], problems);
    }

    [Fact]
    public void A_typo_in_a_coordination_key_is_an_unknown_setting_with_did_you_mean()
    {
        var e = Assert.Throws<SettingsException>(() => ReconcilerSettings.BuildConfiguration(null, new Dictionary<string, string?>(), new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_CoordinationBootstrapServer"] = "k:9092",
        }));

        Assert.Contains("(did you mean KAFKA_RESTORED_CoordinationBootstrapServers?)", Assert.Single(e.Problems), StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Sasl_credentials_come_from_secret_files_and_an_unsafe_one_stops_the_real_daemon_without_printing_it()
    {
        using var dir = new TempDir();
        var user = dir.Combine("user");
        var password = dir.Combine("password");
        File.WriteAllText(user, "svc-restored\n");
        File.WriteAllText(password, "s3cr3t-Coordination-Pw\n");
        File.SetUnixFileMode(user, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var settings = new Dictionary<string, string?>
        {
            ["CoordinationBootstrapServers"] = "127.0.0.1:1",
            ["CoordinationSecurityProtocol"] = "SASL_PLAINTEXT",
            ["CoordinationSaslMechanism"] = "SCRAM-SHA-512",
            ["CoordinationSaslUsernameFile"] = user,
            ["CoordinationSaslPasswordFile"] = password,
        };
        var client = CoordinationClient.Build(Bind(settings));
        Assert.Equal("svc-restored", client.SaslUsername);
        Assert.Equal("s3cr3t-Coordination-Pw", client.SaslPassword);
        Assert.Equal("SCRAM-SHA-512", client.Get("sasl.mechanism"));

        File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var config = dir.Combine("kafka-restored.json");
        File.WriteAllText(config, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string?>(settings) { ["RepositoryUrl"] = dir.Combine("repo") }));
        var result = ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "run", "--config", config, "--state-dir", dir.Combine("state"), "--http-listen", "off"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"is readable or writable by other users; run 'chmod o-rwx {password}'", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-Coordination-Pw", result.StdOut + result.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("state")), "nothing may start on bad settings");
    }

    [Fact]
    public void Reconcile_once_refuses_in_distributed_mode_instead_of_acting_beside_the_leader()
    {
        using var dir = new TempDir();
        var result = ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "reconcile", "--once", "--repo", dir.Combine("repo"), "--state-dir", dir.Combine("state")],
            environment: new Dictionary<string, string?> { ["KAFKA_RESTORED_CoordinationBootstrapServers"] = "127.0.0.1:1" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("CoordinationBootstrapServers is set (distributed mode), where only the leading 'kafka-restored run' reconciles", result.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("state")), "nothing may start");
    }
}
