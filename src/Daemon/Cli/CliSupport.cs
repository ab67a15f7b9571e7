using System.CommandLine;
using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Reconciler;
using KafkaRestored.Reconciler.State;

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
            error.WriteLine($"kafka-restored {command}: {e.Message}");
            return null;
        }
        var problems = options.Validate().Where(p => needRepository || !p.Contains("RepositoryUrl", StringComparison.Ordinal)).ToList();
        foreach (var p in problems) error.WriteLine($"kafka-restored {command}: {p}");
        return problems.Count == 0 ? options : null;
    }

    /// <summary>Prints a state store problem.</summary>
    public static int StoreError(string command, StateStoreException e, TextWriter error)
    {
        error.WriteLine($"kafka-restored {command}: {e.Message}");
        return ConfigError;
    }
}
