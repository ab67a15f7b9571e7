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
}
