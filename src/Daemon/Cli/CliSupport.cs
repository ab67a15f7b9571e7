using System.CommandLine;
using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Reconciler;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Policy;

namespace KafkaRestored.Daemon.Cli;

/// <summary>What the reconciler commands share: reading and validating settings, reporting bad ones.</summary>
internal static class CliSupport
{
    /// <summary>Exit code for bad settings or an unusable state directory.</summary>
    public const int ConfigError = 2;

    /// <summary>Loads and validates settings; prints every problem and returns null when they are bad.</summary>
    public static ReconcilerOptions? Settings(ParseResult parse, string command, TextWriter error, bool needRepository = true)
    {
        ReconcilerOptions options;
        try
        {
            options = ReconcilerSettings.Load(parse);
        }
        catch (SettingsException e)
        {
            foreach (var p in e.Problems) error.WriteLine($"kafka-restored {command}: {p}");
            return null;
        }
        var problems = options.Validate().Where(p => needRepository || !p.Contains("RepositoryUrl", StringComparison.Ordinal)).ToList();
        foreach (var p in problems) error.WriteLine($"kafka-restored {command}: {p}");
        return problems.Count == 0 ? options : null;
    }

    /// <summary>
    /// The host policy of an operator's one-shot run (<c>restore -f</c>, <c>offsets</c>, <c>backup</c>):
    /// the <c>Policy</c> of the settings read with <paramref name="configFile"/> (appsettings.json and
    /// environment as for the daemon), or null (unrestricted, except internal target topics) without
    /// --config. Settings given with --config but holding no Policy (or an empty one) allow nothing, as
    /// for the daemon: a file meant to restrict a run never silently lifts every limit. False after
    /// printing why the settings are unusable.
    /// </summary>
    public static bool TryLoadPolicy(string? configFile, string command, TextWriter error, out HostPolicy? policy)
    {
        policy = null;
        if (configFile is null) return true;
        ReconcilerOptions options;
        try
        {
            options = ReconcilerSettings.Load(configFile, new Dictionary<string, string?>());
        }
        catch (SettingsException e)
        {
            foreach (var p in e.Problems) error.WriteLine($"kafka-restored {command}: {p}");
            return false;
        }
        var problems = ReconcilerOptions.ValidatePolicy(options.Policy);
        foreach (var p in problems) error.WriteLine($"kafka-restored {command}: {p}");
        if (options.Policy is null)
            error.WriteLine($"kafka-restored {command}: warning: {configFile} has no Policy (or an empty one), so this run may reach nothing, as the daemon with these settings could not; add a Policy section (see docs/SECURITY.md) or run without --config.");
        policy = options.HostPolicy ?? new HostPolicy(new Dictionary<string, PolicyEntry>());
        return problems.Count == 0;
    }

    /// <summary>--secrets-dir DIR of a one-shot run (restore -f, offsets): secret files &lt;name&gt;/&lt;key&gt;.</summary>
    public static Option<string?> SecretsDirectoryOption() => new("--secrets-dir")
    {
        Description = "Folder of secret files <name>/<key> (default: $CREDENTIALS_DIRECTORY/secrets when set)",
    };

    /// <summary>--config FILE of a one-shot run: its Policy, when it has one, limits what the run may reach.</summary>
    public static Option<string?> PolicyConfigOption() => new("--config")
    {
        Description = "Settings file (JSON) whose Policy limits what this run may reach, as the daemon's would (no Policy in it allows nothing); without --config the run is unrestricted (except internal target topics)",
    };

    /// <summary>Warns, once at start, that settings without a Policy let no resource reach anything (secure by default).</summary>
    public static void WarnWithoutPolicy(ReconcilerOptions options, string command, TextWriter error)
    {
        if (options.Policy is not null) return;
        error.WriteLine($"kafka-restored {command}: warning: the settings have no Policy, so nothing is allowed: every resource fails with PolicyDenied. " +
            "Add a Policy section (Policy:<namespace>:Clusters, Secrets, S3, Azure, Gcs, Folders; * for every namespace), see docs/SECURITY.md.");
    }

    /// <summary>Prints a state store problem.</summary>
    public static int StoreError(string command, StateStoreException e, TextWriter error)
    {
        error.WriteLine($"kafka-restored {command}: {e.Message}");
        return ConfigError;
    }

    /// <summary>How --state-dir of a one-shot command defaults, with the folder that default is here and now, for its help text.</summary>
    public static string OneShotStateDefault(string name) =>
        $"default here: {OneShotStateDirectory(name)}; that is $STATE_DIRECTORY/{name} under systemd, " +
        $"else $XDG_STATE_HOME/kafka-restored/{name}, $XDG_STATE_HOME being ~/.local/state when unset";

    /// <summary>
    /// State folder of a one-shot command (restore -f, offsets ... -f) when --state-dir is not given:
    /// $STATE_DIRECTORY/NAME under systemd, else $XDG_STATE_HOME (or ~/.local/state)/kafka-restored/NAME.
    /// </summary>
    public static string OneShotStateDirectory(string name)
    {
        var systemd = Environment.GetEnvironmentVariable("STATE_DIRECTORY");
        if (!string.IsNullOrEmpty(systemd)) return Path.Combine(systemd.Split(':')[0], name);
        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        var root = !string.IsNullOrEmpty(xdg) ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(root, "kafka-restored", name);
    }

    /// <summary>$CREDENTIALS_DIRECTORY/secrets under systemd with LoadCredential, else none.</summary>
    public static string? DefaultSecretsDirectory()
    {
        var credentials = Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
        return string.IsNullOrEmpty(credentials) ? null : Path.Combine(credentials, "secrets");
    }
}
