using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace KafkaRestored.Daemon.Tests.Reliability.Nemesis;

/// <summary>What the nemesis and the human did, when (seconds since the start), in order: printed with the seed when a run fails.</summary>
internal sealed class NemesisSchedule(int seed)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly StringBuilder _lines = new();

    public int Seed { get; } = seed;

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Note(string what)
    {
        lock (_lines) _lines.AppendLine(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds,7:0.0}s  {what}");
    }

    public override string ToString()
    {
        lock (_lines) return $"nemesis seed {Seed} (replay: KAFKA_RESTORED_NEMESIS_SEED={Seed}); schedule:\n{_lines}";
    }
}
