using System.Globalization;
using System.Text;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Reliability.Nemesis;

/// <summary>
/// The daemon under the nemesis, as systemd would keep it: one <c>kafka-restored run</c> at a time,
/// SIGKILLed and started again, SIGSTOPped and continued. Every start's output is kept; an exit the
/// nemesis did not cause is counted, because a daemon must not die of the faults it meets.
/// </summary>
internal sealed class NemesisDaemon(string name, Func<DaemonProcess> start) : IDisposable
{
    /// <summary>The instance id, in the schedule.</summary>
    public string Name { get; } = name;

    private readonly Lock _gate = new();
    private readonly StringBuilder _finished = new();
    private DaemonProcess? _current;
    private bool _paused;

    /// <summary>How many times a daemon was started.</summary>
    public int Starts { get; private set; }

    /// <summary>Exits the nemesis did not cause, with their exit codes.</summary>
    public List<string> UnexpectedExits { get; } = [];

    /// <summary>Starts the first daemon.</summary>
    public void Start()
    {
        lock (_gate) _current = Launch();
    }

    /// <summary>Everything every start printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_gate) return _finished + (_current?.Output ?? "");
        }
    }

    /// <summary>SIGKILL (a paused daemon too), then a new start after <paramref name="downFor"/>, as Restart=always with RestartSec.</summary>
    public async Task KillAndRestartAsync(TimeSpan downFor)
    {
        lock (_gate)
        {
            Retire(kill: true);
            _paused = false;
        }
        await Task.Delay(downFor);
        lock (_gate) _current = Launch();
    }

    /// <summary>SIGSTOP of the running daemon; false when it is paused already.</summary>
    public bool Pause()
    {
        lock (_gate)
        {
            if (_paused || _current is null || _current.HasExited) return false;
            Signal(_current, "STOP");
            _paused = true;
            return true;
        }
    }

    /// <summary>SIGCONT, if the daemon paused is still the one running (a kill in between started another).</summary>
    public void Continue()
    {
        lock (_gate)
        {
            if (!_paused || _current is null) return;
            if (!_current.HasExited) Signal(_current, "CONT");
            _paused = false;
        }
    }

    /// <summary>Restarts a daemon that exited on its own (as systemd would), counting the exit.</summary>
    public void RestartIfExited()
    {
        lock (_gate)
        {
            if (_current is not { HasExited: true } dead) return;
            UnexpectedExits.Add($"exit {dead.Stop(TimeSpan.Zero)} at {DateTime.UtcNow:HH:mm:ss.fff}");
            Retire(kill: false);
            _current = Launch();
        }
    }

    /// <summary>SIGTERM and the exit code of the running daemon (continued first if paused).</summary>
    public int Stop()
    {
        lock (_gate)
        {
            Continue();
            var code = _current?.Stop(TimeSpan.FromSeconds(60)) ?? 0;
            Retire(kill: false);
            return code;
        }
    }

    private DaemonProcess Launch()
    {
        Starts++;
        return start();
    }

    private void Retire(bool kill)
    {
        if (_current is null) return;
        if (kill && !_current.HasExited) _current.Kill();
        else if (!_current.HasExited) _current.Stop(TimeSpan.FromSeconds(60));
        _finished.Append(_current.Output);
        _current.Dispose();
        _current = null;
    }

    private static void Signal(DaemonProcess process, string signal) =>
        ProcessRunner.Run("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)]);

    public void Dispose()
    {
        lock (_gate)
        {
            if (_current is null) return;
            if (_paused && !_current.HasExited) Signal(_current, "CONT");
            _current.Dispose();
            _current = null;
        }
    }
}

/// <summary>The daemons of the run (one, or three in distributed mode), seen together by the human and the checks.</summary>
internal sealed class NemesisDeployment(IReadOnlyList<NemesisDaemon> daemons)
{
    /// <summary>Restarts any daemon that exited on its own.</summary>
    public void RestartIfExited()
    {
        foreach (var d in daemons) d.RestartIfExited();
    }

    /// <summary>Every start's output of every daemon, each under its name when there are several.</summary>
    public string Output => daemons.Count == 1 ? daemons[0].Output : string.Concat(daemons.Select(d => $"==== {d.Name}\n{d.Output}"));

    /// <summary>Starts of all daemons.</summary>
    public int Starts => daemons.Sum(d => d.Starts);

    /// <summary>Exits the nemesis did not cause, each with its daemon's name when there are several.</summary>
    public List<string> UnexpectedExits => [.. daemons.SelectMany(d => d.UnexpectedExits.Select(e => daemons.Count == 1 ? e : $"{d.Name}: {e}"))];

    /// <summary>SIGTERM to each daemon in turn; the first exit code that is not 0, else 0.</summary>
    public int Stop()
    {
        var codes = daemons.Select(d => d.Stop()).ToList();
        return codes.FirstOrDefault(c => c != 0);
    }
}
