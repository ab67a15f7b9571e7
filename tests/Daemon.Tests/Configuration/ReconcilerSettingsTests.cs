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

    private static readonly Dictionary<string, string?> None = new();

    [Fact]
    public void An_unknown_key_in_the_settings_file_is_an_error_at_its_line_and_column_with_did_you_mean()
    {
        using var dir = new TempDir();
        var file = dir.Combine("kafka-restored.json");
        File.WriteAllText(file, """
            {
              "RepositoryUrl": "https://h/r.git",
              "PolInterval": "00:00:05",
              "Policy": {"team-a": {"Clusters": ["k:9092"], "Secretz": ["s"]}},
              "Reconciler": {"PollInterval": "00:00:05"}
            }
            """);

        var e = Assert.Throws<SettingsException>(() => ReconcilerSettings.Load(file, None, None));

        Assert.Equal(
        [
            $"{file}:3:3: unknown setting PolInterval (did you mean PollInterval?): nothing reads it, so the default would be used without a word; the settings are listed in the README under Configuration.",
            $"{file}:4:49: unknown policy list Policy:team-a:Secretz (did you mean Policy:team-a:Secrets?): each namespace's policy holds only the lists Secrets, Clusters, S3, Azure, Gcs, Folders, InternalTopics.",
            $"{file}:5:3: unknown setting Reconciler: nothing reads it, so the default would be used without a word; the settings are listed in the README under Configuration.",
            $"{file}:5:18: Reconciler:PollInterval is read by nothing: settings sit at the root, not in a section Reconciler; write PollInterval.",
        ], e.Problems);
        // The daemon's own settings read the same sources, so they refuse the same file.
        Assert.Throws<SettingsException>(() => ReconcilerSettings.BuildConfiguration(file, None, None));

        // Positive control: with the keys spelt right, the file loads and its values are used.
        File.WriteAllText(file, """{"RepositoryUrl": "https://h/r.git", "PollInterval": "00:00:05", "Policy": {"team-a": {"Secrets": ["s"]}}}""");
        var options = ReconcilerSettings.Load(file, None, None);
        Assert.Equal(TimeSpan.FromSeconds(5), options.PollInterval);
        Assert.Equal(["s"], options.Policy!["team-a"].Secrets);
    }

    [Fact]
    public void Unknown_environment_variables_of_our_prefix_are_errors_naming_the_variable_and_others_are_not_read()
    {
        var env = new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_PolInterval"] = "00:00:05",
            ["KAFKA_RESTORED_POLL_INTERVAL"] = "00:00:05",
            ["KAFKA_RESTORED_Policy__team-a__Cluster__0"] = "k:9092",
            ["KAFKA_RESTORED_Branch__x"] = "y",
            ["KAFKA_RESTORED_PollInterval"] = "00:00:07",
            ["KAFKA_RESTORED_policy__team-a__clusters__0"] = "k:9092",
            ["KAFKA_RESTORED_IncludePaths__0"] = "restores",
            ["OTHER_PolInterval"] = "x",
            ["PolInterval"] = "x",
        };

        var e = Assert.Throws<SettingsException>(() => ReconcilerSettings.Load(null, new Dictionary<string, string?> { ["RepositoryUrl"] = "https://h/r.git" }, env));

        Assert.Equal(
        [
            "environment variable KAFKA_RESTORED_Branch__x: KAFKA_RESTORED_Branch__x is not a setting: KAFKA_RESTORED_Branch takes one value, not a section of its own.",
            "environment variable KAFKA_RESTORED_POLL_INTERVAL: unknown setting KAFKA_RESTORED_POLL_INTERVAL (did you mean KAFKA_RESTORED_PollInterval?): nothing reads it, so the default would be used without a word; the settings are listed in the README under Configuration.",
            "environment variable KAFKA_RESTORED_PolInterval: unknown setting KAFKA_RESTORED_PolInterval (did you mean KAFKA_RESTORED_PollInterval?): nothing reads it, so the default would be used without a word; the settings are listed in the README under Configuration.",
            "environment variable KAFKA_RESTORED_Policy__team-a__Cluster__0: unknown policy list KAFKA_RESTORED_Policy__team-a__Cluster (did you mean KAFKA_RESTORED_Policy__team-a__Clusters?): each namespace's policy holds only the lists Secrets, Clusters, S3, Azure, Gcs, Folders, InternalTopics.",
        ], e.Problems);

        // Positive control: the well-spelt variables alone (any case, as configuration keys are) load and are used.
        foreach (var bad in new[] { "KAFKA_RESTORED_PolInterval", "KAFKA_RESTORED_POLL_INTERVAL", "KAFKA_RESTORED_Policy__team-a__Cluster__0", "KAFKA_RESTORED_Branch__x" })
            env.Remove(bad);
        var options = ReconcilerSettings.Load(null, new Dictionary<string, string?> { ["RepositoryUrl"] = "https://h/r.git" }, env);
        Assert.Equal(TimeSpan.FromSeconds(7), options.PollInterval);
        Assert.Equal(["k:9092"], options.Policy!["team-a"].Clusters);
        Assert.Equal(["restores"], options.IncludePaths);
    }

    [Theory]
    [InlineData("{\"Branch\": \"main\",\n \"PollInterval\" \"00:00:05\"}", 2, 17)]
    [InlineData("{\"Branch\": \"main\"", 1, 18)]
    [InlineData("[\"RepositoryUrl\"]", 1, 1)]
    public void Invalid_json_names_the_file_line_and_column(string text, int line, int column)
    {
        using var dir = new TempDir();
        var file = dir.Combine("kafka-restored.json");
        File.WriteAllText(file, text);

        var e = Assert.Throws<SettingsException>(() => ReconcilerSettings.Load(file, None, None));

        var problem = Assert.Single(e.Problems);
        Assert.StartsWith($"{file}:{line}:{column}: the settings file (--config) is not valid JSON: ", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Setting_errors_name_keys_as_the_file_writes_them_at_the_root()
    {
        var options = ReconcilerSettings.Load(null, new Dictionary<string, string?> { ["RepositoryUrl"] = "r", ["PollInterval"] = "00:00:00", ["StatusDirectory"] = "/abs" }, None);

        var problems = options.Validate();

        Assert.Contains("PollInterval must be positive (e.g. 00:00:30).", problems);
        Assert.Contains("StatusDirectory must be a relative folder inside the repository, got '/abs'.", problems);
        Assert.DoesNotContain(problems, p => p.Contains("Reconciler:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_typo_in_the_settings_file_stops_the_real_daemon_with_exit_2_and_did_you_mean_before_anything_starts()
    {
        using var dir = new TempDir();
        var file = dir.Combine("kafka-restored.json");
        File.WriteAllText(file, """{"RepositoryUrl": "https://h/r.git", "PolInterval": "00:00:05"}""");

        var result = ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "run", "--config", file, "--state-dir", dir.Combine("state"), "--http-listen", "off"],
            environment: new Dictionary<string, string?> { ["KAFKA_RESTORED_MaxConcurentRestores"] = "3" });

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"kafka-restored run: {file}:1:38: unknown setting PolInterval (did you mean PollInterval?): nothing reads it, so the default would be used without a word; the settings are listed in the README under Configuration.\n" +
            "kafka-restored run: environment variable KAFKA_RESTORED_MaxConcurentRestores: unknown setting KAFKA_RESTORED_MaxConcurentRestores (did you mean KAFKA_RESTORED_MaxConcurrentRestores?): nothing reads it, so the default would be used without a word; the settings are listed in the README under Configuration.\n",
            result.StdErr);
        Assert.False(Directory.Exists(dir.Combine("state")), "nothing may start on bad settings");
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

    [Fact]
    public void The_Gcs_list_binds_and_an_empty_Gcs_pattern_is_reported()
    {
        var options = ReconcilerSettings.Load(null, new Dictionary<string, string?>
        {
            ["RepositoryUrl"] = "https://h/r.git",
            ["Policy:team-a:Gcs:0"] = "gcs/kafka-backups/team-a/*",
            ["Policy:team-a:Gcs:1"] = "",
        }, new Dictionary<string, string?>());

        var problems = options.Validate();

        Assert.Equal(["gcs/kafka-backups/team-a/*", ""], options.HostPolicy!.For("team-a").Gcs);
        Assert.StartsWith("Policy:team-a:Gcs:1 is empty", Assert.Single(problems), StringComparison.Ordinal);
    }
}
