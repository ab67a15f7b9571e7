using System.CommandLine;
using KafkaRestored.Reconciler;
using Microsoft.Extensions.Configuration;

namespace KafkaRestored.Daemon.Configuration;

/// <summary>
/// Reads <see cref="ReconcilerOptions"/> the same way for every command (run, reconcile, plan,
/// status): appsettings.json beside the binary (optional), the JSON file given by --config, then
/// environment variables prefixed KAFKA_RESTORED_ (e.g. KAFKA_RESTORED_StateDirectory), then the
/// command-line flags; later sources win. Keys are the option names at the root of each file
/// (RepositoryUrl, Branch, StateDirectory...); a key no setting reads is an error naming its source
/// (<see cref="SettingsSources"/>).
/// </summary>
public static class ReconcilerSettings
{
    /// <summary>Environment variable prefix.</summary>
    public const string EnvironmentPrefix = "KAFKA_RESTORED_";

    /// <summary>Settings file read, when present, from the binary's folder (the host's content root) before --config.</summary>
    public const string AppSettingsFile = "appsettings.json";

    /// <summary>--repo URL.</summary>
    public static Option<string?> Repo { get; } = new("--repo") { Description = "Config repository URL or path (RepositoryUrl)" };

    /// <summary>--branch NAME.</summary>
    public static Option<string?> Branch { get; } = new("--branch") { Description = "Branch holding the resources (Branch, default main)" };

    /// <summary>--state-dir DIR.</summary>
    public static Option<string?> StateDir { get; } = new("--state-dir") { Description = "State directory: state.db and the clone (StateDirectory)" };

    /// <summary>--secrets-dir DIR.</summary>
    public static Option<string?> SecretsDir { get; } = new("--secrets-dir") { Description = "Secrets directory: <name>/<key> files (SecretsDirectory)" };

    /// <summary>--config FILE.</summary>
    public static Option<string?> Config { get; } = new("--config") { Description = "JSON settings file (keys: RepositoryUrl, Branch, StateDirectory, ...)" };

    /// <summary>Adds the shared flags to <paramref name="command"/>.</summary>
    public static Command WithSettings(this Command command)
    {
        foreach (var o in new[] { Repo, Branch, StateDir, SecretsDir, Config }) command.Options.Add(o);
        return command;
    }

    /// <summary>The settings for a parsed command line, with <paramref name="environment"/> standing in for the process environment when given.</summary>
    public static ReconcilerOptions Load(ParseResult parse, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var flags = new Dictionary<string, string?>();
        void Flag(Option<string?> option, string key)
        {
            if (parse.GetValue(option) is { Length: > 0 } v) flags[key] = v;
        }
        Flag(Repo, nameof(ReconcilerOptions.RepositoryUrl));
        Flag(Branch, nameof(ReconcilerOptions.Branch));
        Flag(StateDir, nameof(ReconcilerOptions.StateDirectory));
        Flag(SecretsDir, nameof(ReconcilerOptions.SecretsDirectory));
        return Load(parse.GetValue(Config), flags, environment);
    }

    /// <summary>
    /// The settings from appsettings.json in <paramref name="appSettingsDirectory"/> (default: the
    /// binary's folder; optional), a config file (optional), the environment and explicit overrides.
    /// </summary>
    public static ReconcilerOptions Load(string? configFile, IReadOnlyDictionary<string, string?> overrides, IReadOnlyDictionary<string, string?>? environment = null,
        string? appSettingsDirectory = null)
    {
        var options = Bind<ReconcilerOptions>(BuildConfiguration(configFile, overrides, environment, appSettingsDirectory));
        ApplySystemdDefaults(options, environment);
        return options;
    }

    /// <summary>The layered configuration (appsettings.json, --config file, environment, overrides) every settings class binds from.</summary>
    public static IConfiguration BuildConfiguration(string? configFile, IReadOnlyDictionary<string, string?> overrides, IReadOnlyDictionary<string, string?>? environment = null,
        string? appSettingsDirectory = null)
    {
        var builder = new ConfigurationBuilder();
        var problems = new List<string>();
        var appSettings = Path.Combine(appSettingsDirectory ?? AppContext.BaseDirectory, AppSettingsFile);
        if (File.Exists(appSettings))
        {
            problems.AddRange(SettingsSources.FileProblems(Path.GetFullPath(appSettings), AppSettingsFile + " beside the binary"));
            builder.AddJsonFile(Path.GetFullPath(appSettings), optional: false, reloadOnChange: false);
        }
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
                throw new SettingsException($"The settings file {configFile} (--config) does not exist.");
            problems.AddRange(SettingsSources.FileProblems(configFile, "--config"));
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        // A key nothing reads would leave its default in force without a word: every one is an error.
        problems.AddRange(SettingsSources.EnvironmentProblems(environment));
        if (problems.Count > 0) throw new SettingsException(problems);
        if (environment is null) builder.AddEnvironmentVariables(EnvironmentPrefix);
        else builder.AddInMemoryCollection(environment.Where(e => e.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(e => new KeyValuePair<string, string?>(e.Key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), e.Value)));
        builder.AddInMemoryCollection(overrides);
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            // The JSON provider's message names the file that failed to parse.
            throw new SettingsException($"A settings file is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Binds a settings class, turning type errors into a message that names the setting.</summary>
    public static T Bind<T>(IConfiguration configuration) where T : new()
    {
        var options = new T();
        try
        {
            configuration.Bind(options, o => o.ErrorOnUnknownConfiguration = false);
        }
        catch (InvalidOperationException e)
        {
            throw new SettingsException($"A setting has a value of the wrong type: {e.Message}");
        }
        return options;
    }

    /// <summary>Under systemd with LoadCredential, secrets and the Git token default to $CREDENTIALS_DIRECTORY.</summary>
    private static void ApplySystemdDefaults(ReconcilerOptions options, IReadOnlyDictionary<string, string?>? environment)
    {
        var credentials = environment is null ? Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY") : environment.GetValueOrDefault("CREDENTIALS_DIRECTORY");
        if (string.IsNullOrEmpty(credentials)) return;
        options.SecretsDirectory ??= Path.Combine(credentials, "secrets");
        var token = Path.Combine(credentials, "git-token");
        if (options.GitTokenFile is null && options.GitSshKeyFile is null && File.Exists(token)) options.GitTokenFile = token;
    }
}
