using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace KafkaRestored.Daemon.Tests.Distributed;

/// <summary>kcat (another client implementation, another process) as a member of a consumer group, so a test can SIGKILL or SIGSTOP a member.</summary>
internal sealed class KcatMember : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public KcatMember(string bootstrap, string group, string topic, int sessionTimeoutMs)
    {
        var psi = new ProcessStartInfo("kcat") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
                 {
                     "-b", bootstrap, "-G", group, "-q",
                     "-X", "session.timeout.ms=" + sessionTimeoutMs.ToString(CultureInfo.InvariantCulture),
                     "-X", "heartbeat.interval.ms=" + Math.Max(100, sessionTimeoutMs / 10).ToString(CultureInfo.InvariantCulture),
                     "-X", "partition.assignment.strategy=cooperative-sticky", "-v", topic,
                 })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public int Id => _process.Id;

    /// <summary>What kcat printed: its rebalance lines ("incremental assignment of 1 partition(s) ... [0]", "incremental revoke ...").</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>True once kcat said partition 0 was assigned to it.</summary>
    public bool Holds0 => Log.Contains("incremental assignment of 1 partition(s)", StringComparison.Ordinal);

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }
}
