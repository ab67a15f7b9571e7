namespace KafkaRestored.Daemon.Configuration;

/// <summary>Settings that cannot be read; the message names the setting or file.</summary>
public sealed class SettingsException(string message) : Exception(message);
