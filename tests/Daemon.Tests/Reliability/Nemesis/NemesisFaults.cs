using System.Globalization;
using Confluent.Kafka;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Reliability.Nemesis;

/// <summary>A kind of fault the nemesis injects.</summary>
internal enum NemesisFault
{
    KillDaemon,
    PauseDaemon,
    BrokersDown,
    ProduceErrors,
    Latency,
    S3Down,
    GitRefusesPushes,
    GitHangs,
    StateDiskFull,
}

/// <summary>
/// Injects faults from a seeded random stream, alone and overlapping (at most one of each kind at a
/// time), and heals each after its own random duration. Every step is written to the schedule with
/// the time since the run started, so a failing run shows what happened when, and its seed replays it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class NemesisFaults(MockKafkaBroker broker, S3rverFixture s3, GitRemote remote, IReadOnlyList<NemesisDaemon> daemons, NemesisSchedule schedule,
    SemaphoreSlim gitGate, Random random, int baselineRttMs, IReadOnlyList<SmallDisk>? stateDisks)
{
    private static readonly NemesisFault[] Kinds = Enum.GetValues<NemesisFault>();
    private readonly HashSet<NemesisFault> _active = [];
    private readonly List<Task> _healing = [];

    private readonly List<(DateTime From, DateTime? To)> _outages = [];

    /// <summary>Whether every broker was down at some time since <paramref name="since"/>.</summary>
    public bool OutageSince(DateTime since)
    {
        lock (_outages) return _outages.Any(o => (o.To ?? DateTime.MaxValue) >= since);
    }

    /// <summary>Faults injected, by kind.</summary>
    public Dictionary<NemesisFault, int> Injected { get; } = Kinds.ToDictionary(k => k, _ => 0);

    /// <summary>Injects a fault every 1-5 s until <paramref name="ct"/> is cancelled, then heals everything.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1000, 5000)), ct);
                var kind = Kinds[random.Next(Kinds.Length)];
                // Each fault's random figures are drawn here, in order, so the seed alone replays the schedule.
                var duration = TimeSpan.FromMilliseconds(random.Next(1500, 7000));
                var figure = random.Next(100, 400);
                // Which daemon a kill, pause or full disk hits; drawn only when there are several, so that a seed of the one-daemon
                // run replays the same schedule as before.
                var target = daemons.Count > 1 ? random.Next(daemons.Count) : 0;
                // Without a small disk of its own for the state (mount refused), a full disk is drawn but not injected, so that a
                // seed replays the same schedule on every machine.
                if (kind == NemesisFault.StateDiskFull && stateDisks is null) continue;
                lock (_active)
                {
                    if (!_active.Add(kind)) continue;
                }
                Injected[kind]++;
                _healing.Add(InjectAsync(kind, duration, figure, target));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The nemesis stops; what it broke heals below.
        }
        await Task.WhenAll(_healing);
    }

    private async Task InjectAsync(NemesisFault kind, TimeSpan duration, int figure, int target)
    {
        var ms = ((int)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var daemon = daemons[target];
        var which = daemons.Count > 1 ? $"daemon {daemon.Name}" : "the daemon";
        try
        {
            switch (kind)
            {
                case NemesisFault.KillDaemon:
                    var down = TimeSpan.FromMilliseconds(figure * 4);
                    schedule.Note($"SIGKILL {which}, restart after {down.TotalMilliseconds:0} ms");
                    await daemon.KillAndRestartAsync(down);
                    break;
                case NemesisFault.PauseDaemon:
                    if (!daemon.Pause()) break;
                    schedule.Note($"SIGSTOP {which} for {ms} ms");
                    await Task.Delay(duration);
                    daemon.Continue();
                    schedule.Note($"SIGCONT {which}");
                    break;
                case NemesisFault.BrokersDown:
                    schedule.Note($"every broker down for {ms} ms");
                    int outage;
                    lock (_outages)
                    {
                        outage = _outages.Count;
                        _outages.Add((DateTime.UtcNow, null));
                    }
                    for (var id = 1; id <= broker.BrokerCount; id++) broker.BrokerDown(id);
                    await Task.Delay(duration);
                    for (var id = 1; id <= broker.BrokerCount; id++) broker.BrokerUp(id);
                    lock (_outages) _outages[outage] = (_outages[outage].From, DateTime.UtcNow);
                    schedule.Note("every broker up");
                    break;
                case NemesisFault.ProduceErrors:
                    schedule.Note("the next 6 produce requests fail (NotLeaderForPartition, RequestTimedOut, NotEnoughReplicas)");
                    broker.PushRequestErrors(0, ErrorCode.NotLeaderForPartition, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut,
                        ErrorCode.NotEnoughReplicas, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut);
                    break;
                case NemesisFault.Latency:
                    schedule.Note($"brokers answer after {figure * 2} ms for {ms} ms");
                    broker.SetRtt(figure * 2);
                    await Task.Delay(duration);
                    broker.SetRtt(baselineRttMs);
                    schedule.Note($"brokers answer after {baselineRttMs} ms again");
                    break;
                case NemesisFault.S3Down:
                    schedule.Note($"s3rver killed for {ms} ms");
                    s3.Stop();
                    await Task.Delay(duration);
                    s3.Restart();
                    schedule.Note("s3rver restarted");
                    break;
                case NemesisFault.GitRefusesPushes:
                    await GitHookAsync("refuses every push", "echo 'nemesis: push refused' >&2\nexit 1\n", duration);
                    break;
                case NemesisFault.GitHangs:
                    await GitHookAsync("takes 6 s over every push", "sleep 6\nexit 0\n", duration);
                    break;
                case NemesisFault.StateDiskFull:
                    var disk = stateDisks![target];
                    var ballast = disk.Fill();
                    schedule.Note($"the state disk of {which} is full ({ballast / (1 << 20)} MiB of ballast) for {ms} ms");
                    await Task.Delay(duration);
                    disk.Free();
                    schedule.Note($"the state disk of {which} has room again");
                    break;
            }
        }
        finally
        {
            lock (_active) _active.Remove(kind);
        }
    }

    /// <summary>A pre-receive hook on the remote for <paramref name="duration"/>; the human does not push meanwhile.</summary>
    private async Task GitHookAsync(string what, string script, TimeSpan duration)
    {
        await gitGate.WaitAsync();
        var hook = Path.Combine(remote.BarePath, "hooks", "pre-receive");
        try
        {
            schedule.Note($"the Git remote {what} for {duration.TotalMilliseconds:0} ms");
            await File.WriteAllTextAsync(hook, "#!/bin/sh\n" + script);
            File.SetUnixFileMode(hook, (UnixFileMode)0b111_101_101);
            await Task.Delay(duration);
        }
        finally
        {
            File.Delete(hook);
            schedule.Note("the Git remote takes pushes again");
            gitGate.Release();
        }
    }
}
