namespace KafkaRestored.Daemon.Configuration;

/// <summary>Settings that cannot be read; each problem names the setting, file or variable.</summary>
public sealed class SettingsException : Exception
{
    /// <summary>One problem.</summary>
    public SettingsException(string message) : this([message])
    {
    }

    /// <summary>Several problems, all reported at once.</summary>
    public SettingsException(IReadOnlyList<string> problems) : base(string.Join(Environment.NewLine, problems)) => Problems = problems;

    /// <summary>Every problem, one line each.</summary>
    public IReadOnlyList<string> Problems { get; }
}
