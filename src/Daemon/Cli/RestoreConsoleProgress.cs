using System.Globalization;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// Progress of <c>restore -f</c> on stderr: a redrawn bar on a terminal, a plain line every few seconds
/// otherwise. An interruption erases the bar (no half-drawn line is left) and stops drawing.
/// </summary>
internal sealed class RestoreConsoleProgress(TextWriter error, bool interactive) : IProgress<RestoreProgressUpdate>
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _plainInterval = TimeSpan.FromSeconds(2);
    private long _lastPlain = long.MinValue;
    private RestoreStage? _lastStage;
    private bool _barDrawn;
    private bool _stopped;

    /// <summary>The last progress reported, for the status of a run that did not complete.</summary>
    public RestoreProgress? Last { get; private set; }

    /// <inheritdoc />
    public void Report(RestoreProgressUpdate value)
    {
        lock (_gate)
        {
            Last = value.Progress;
            if (_stopped) return;
            var p = value.Progress;
            var pct = p.RecordsTotal > 0 ? Math.Min(100.0, 100.0 * p.RecordsDone / p.RecordsTotal) : 100.0;
            var text = string.Create(CultureInfo.InvariantCulture,
                $"{value.Stage.ToString().ToLowerInvariant()}: {p.RecordsDone:N0}/{p.RecordsTotal:N0} records ({pct:0.0}%), {p.BytesDone / 1048576.0:0.0} MiB, {value.RecordsPerSecond:N0} records/s, {value.Elapsed:hh\\:mm\\:ss}");
            if (interactive)
            {
                const int width = 30;
                var filled = (int)(pct / 100 * width);
                error.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {text}\u001b[K");
                error.Flush();
                _barDrawn = true;
                return;
            }
            var now = Environment.TickCount64;
            if (value.Stage != _lastStage || now - _lastPlain >= _plainInterval.TotalMilliseconds)
            {
                error.WriteLine(text);
                _lastPlain = now;
                _lastStage = value.Stage;
            }
        }
    }

    /// <summary>Ends the bar with a line break (it stays visible).</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_barDrawn) error.WriteLine();
            _barDrawn = false;
        }
    }

    /// <summary>Erases the bar, stops drawing, and prints <paramref name="notice"/> on a line of its own.</summary>
    public void Interrupt(string notice)
    {
        lock (_gate)
        {
            // One write: nothing else written to the terminal (the runtime's own mode sequences) can land between the erase and the notice.
            error.Write((_barDrawn ? "\r\u001b[K" : "") + notice + error.NewLine);
            error.Flush();
            _barDrawn = false;
            _stopped = true;
        }
    }
}
