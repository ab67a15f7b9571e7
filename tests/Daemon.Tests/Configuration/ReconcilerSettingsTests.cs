using KafkaRestored.Daemon.Configuration;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Configuration;

public sealed class ReconcilerSettingsTests
{
    [Fact]
    public void Flags_override_environment_which_overrides_the_config_file()
    {
        using var dir = new TempDir();
        var file = dir.Combine("kafka-restored.json");
        File.WriteAllText(file, """
            {"RepositoryUrl": "https://git.example.com/config.git", "Branch": "prod", "StateDirectory": "/from-file",
             "IncludePaths": ["restores", "team-a"], "PollInterval": "00:01:00", "MaxConcurrentRestores": 4, "StatusBranch": "kafka-status"}
            """);
        var env = new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_StateDirectory"] = "/from-env",
            ["KAFKA_RESTORED_BotName"] = "env-bot",
            ["UNRELATED"] = "x",
        };
        var options = ReconcilerSettings.Load(file, new Dictionary<string, string?> { ["Branch"] = "from-flag" }, env);
        Assert.Equal("https://git.example.com/config.git", options.RepositoryUrl);
        Assert.Equal("from-flag", options.Branch);
        Assert.Equal("/from-env", options.StateDirectory);
        Assert.Equal("env-bot", options.BotName);
        Assert.Equal(["restores", "team-a"], options.IncludePaths);
        Assert.Equal(TimeSpan.FromMinutes(1), options.PollInterval);
        Assert.Equal(4, options.MaxConcurrentRestores);
        Assert.Equal("kafka-status", options.PublishBranch);
        Assert.Equal(TimeSpan.FromMinutes(5), options.ProgressCommitInterval);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Appsettings_json_beside_the_binary_is_read_first_and_the_config_file_overrides_it()
    {
        using var binary = new TempDir();
        using var etc = new TempDir();
        File.WriteAllText(binary.Combine(ReconcilerSettings.AppSettingsFile), """
            {"RepositoryUrl": "https://git.example.com/from-appsettings.git", "Branch": "from-appsettings", "BotName": "appsettings-bot", "HttpListen": "off"}
            """);
        var file = etc.Combine("kafka-restored.json");
        File.WriteAllText(file, """{"Branch": "from-config-file"}""");
        var env = new Dictionary<string, string?> { ["KAFKA_RESTORED_BotName"] = "env-bot" };

        var options = ReconcilerSettings.Load(file, new Dictionary<string, string?>(), env, binary.Path);
        var daemon = ReconcilerSettings.Bind<DaemonOptions>(ReconcilerSettings.BuildConfiguration(file, new Dictionary<string, string?>(), env, binary.Path));

        Assert.Equal("https://git.example.com/from-appsettings.git", options.RepositoryUrl);
        Assert.Equal("from-config-file", options.Branch);
        Assert.Equal("env-bot", options.BotName);
        Assert.False(daemon.HttpEnabled);
        Assert.Equal("main", ReconcilerSettings.Load(null, new Dictionary<string, string?>(), new Dictionary<string, string?>(), etc.Path).Branch);
    }

    [Fact]
    public void A_bad_appsettings_json_is_a_settings_error_naming_the_file()
    {
        using var binary = new TempDir();
        var path = binary.Combine(ReconcilerSettings.AppSettingsFile);
        File.WriteAllText(path, """{"Branch": """);
        var e = Assert.Throws<SettingsException>(() => ReconcilerSettings.Load(null, new Dictionary<string, string?>(), new Dictionary<string, string?>(), binary.Path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_example_configuration_is_valid()
    {
        var example = Path.Combine(RepoPaths.Root, "systemd", "kafka-restored.json");
        var none = new Dictionary<string, string?>();
        var options = ReconcilerSettings.Load(example, none, none);
        var daemon = ReconcilerSettings.Bind<DaemonOptions>(ReconcilerSettings.BuildConfiguration(example, none, none));
        Assert.Empty(options.Validate());
        Assert.Empty(daemon.Validate());
        Assert.Equal(DaemonOptions.DefaultHttpListen, daemon.HttpListen);
        Assert.Equal("127.0.0.1", new Uri(DaemonOptions.DefaultHttpListen).Host);
    }

    [Fact]
    public void Under_systemd_secrets_and_the_git_token_default_to_the_credentials_directory()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("git-token"), "t");
        var options = ReconcilerSettings.Load(null, new Dictionary<string, string?> { ["RepositoryUrl"] = "https://h/r.git" },
            new Dictionary<string, string?> { ["CREDENTIALS_DIRECTORY"] = dir.Path });
        Assert.Equal(Path.Combine(dir.Path, "secrets"), options.SecretsDirectory);
        Assert.Equal(dir.Combine("git-token"), options.GitTokenFile);
    }

    [Fact]
    public void Bad_settings_are_reported_by_name()
    {
        var options = ReconcilerSettings.Load(null, new Dictionary<string, string?> { ["MaxConcurrentRestores"] = "0", ["StatusDirectory"] = "../x" },
            new Dictionary<string, string?>());
        var problems = options.Validate();
        Assert.Contains(problems, p => p.Contains("RepositoryUrl", StringComparison.Ordinal) && p.Contains("--repo", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("MaxConcurrentRestores", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("StatusDirectory", StringComparison.Ordinal));
        Assert.Throws<SettingsException>(() => ReconcilerSettings.Load("/no/such/file.json", new Dictionary<string, string?>(), new Dictionary<string, string?>()));
    }
    [Fact]
    public void Policy_binds_from_the_settings_file_keyed_by_namespace_with_star()
    {
        using var dir = new TempDir();
        var file = dir.Combine("kafka-restored.json");
        File.WriteAllText(file, """
            {"RepositoryUrl": "https://h/r.git",
             "Policy": {"team-a": {"Secrets": ["kafka-credentials"], "Clusters": ["dr-kafka-*:9092"], "S3": ["aws/kafka-backups/team-a*"], "Folders": ["/srv/backups/team-a"]},
                        "*": {"Clusters": ["127.0.0.1:*"], "InternalTopics": ["_schemas"]}}}
            """);
        var none = new Dictionary<string, string?>();

        var options = ReconcilerSettings.Load(file, none, none);

        Assert.Empty(options.Validate());
        Assert.Equal(["kafka-credentials"], options.Policy!["team-a"].Secrets);
        Assert.Equal(["/srv/backups/team-a"], options.Policy["team-a"].Folders);
        var teamA = options.HostPolicy!.For("team-a");
        Assert.Equal(["dr-kafka-*:9092", "127.0.0.1:*"], teamA.Clusters);
        Assert.Equal(["_schemas"], options.HostPolicy.For("team-z").InternalTopics);
        // Environment variables can add to it, as to every setting.
        var env = new Dictionary<string, string?> { ["KAFKA_RESTORED_Policy__team-b__Secrets__0"] = "other" };
        Assert.Equal(["other"], ReconcilerSettings.Load(file, none, env).Policy!["team-b"].Secrets);
    }

    [Fact]
    public void Without_a_policy_the_settings_are_valid_but_allow_nothing()
    {
        var options = ReconcilerSettings.Load(null, new Dictionary<string, string?> { ["RepositoryUrl"] = "https://h/r.git" }, new Dictionary<string, string?>());
        Assert.Empty(options.Validate());
        Assert.Null(options.HostPolicy);
    }

    [Fact]
    public void Bad_policy_entries_are_reported_naming_the_namespace_and_the_list()
    {
        var options = ReconcilerSettings.Load(null, new Dictionary<string, string?>
        {
            ["RepositoryUrl"] = "https://h/r.git",
            ["Policy:team-a:Folders:0"] = "backups/team-a",
            ["Policy:team-a:Folders:1"] = "/srv/backups/*",
            ["Policy:team-a:Secrets:0"] = " ",
            ["Policy:Team_A:Clusters:0"] = "*",
            ["Policy:*:Folders:0"] = "*",
        }, new Dictionary<string, string?>());

        var problems = options.Validate();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Policy:team-a:Folders:0 is 'backups/team-a'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Policy:team-a:Folders:1 is '/srv/backups/*'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Policy:team-a:Secrets:0 is empty", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Policy:Team_A is not a namespace", StringComparison.Ordinal));
    }

    [Fact]
    public void The_Azure_list_binds_and_an_empty_Azure_pattern_is_reported()
    {
        var options = ReconcilerSettings.Load(null, new Dictionary<string, string?>
        {
            ["RepositoryUrl"] = "https://h/r.git",
            ["Policy:team-a:Azure:0"] = "azure/prodbackups/kafka-backups/team-a/*",
            ["Policy:team-a:Azure:1"] = " ",
        }, new Dictionary<string, string?>());

        var problems = options.Validate();

        Assert.Equal(["azure/prodbackups/kafka-backups/team-a/*", " "], options.HostPolicy!.For("team-a").Azure);
        Assert.StartsWith("Policy:team-a:Azure:1 is empty", Assert.Single(problems), StringComparison.Ordinal);
    }
}
