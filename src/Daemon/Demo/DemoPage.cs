using KafkaRestored.Daemon.Configuration;

namespace KafkaRestored.Daemon.Demo;

/// <summary>The demo's status page: where it listens (or off), whether it stays up after the restores settle, and what stops it then (Ctrl+C).</summary>
internal sealed record DemoPage(string Listen, bool Serve, CancellationToken Stop)
{
    /// <summary>False for "off", as for the daemon's HttpListen.</summary>
    public bool Enabled => new DaemonOptions { HttpListen = Listen }.HttpEnabled;
}
