using System.Diagnostics;
using System.Text;
using KafkaRestored.Daemon.Tests.Reliability;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Distributed;

/// <summary>
/// Several real daemons (<c>kafka-restored run</c>) of one deployment: one config repository (a bare Git repo), one
/// coordination group and topic on the hosted mock cluster, each with its own state directory and instance id.
/// </summary>
internal sealed class DaemonGroup : IDisposable
{
    /// <summary>Short, so a takeover comes within seconds (real deployments keep the default).</summary>
    public const string SessionTimeout = "00:00:06";

    private readonly GitRemote _remote;
    private readonly TempDir _dir;
    private readonly Dictionary<string, string?> _settings;

    public DaemonGroup(MockKafkaBroker broker, GitRemote remote, TempDir dir, params string[] instances)
        : this(broker, remote, dir, 0, instances)
    {
    }

    /// <summary>
    /// As the other constructor; with <paramref name="unitSlots"/> above 0 a units topic of that many partitions (slots) is
    /// created and restores are spread over the members, else the units topic is set empty and the leader writes every restore.
    /// </summary>
    public DaemonGroup(MockKafkaBroker broker, GitRemote remote, TempDir dir, int unitSlots, params string[] instances)
    {
        _remote = remote;
        _dir = dir;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        Topic = "coordination-" + suffix;
        broker.CreateTopic(Topic, 1);
        StateTopic = "restore-state-" + suffix;
        broker.CreateTopic(StateTopic, 1);
        _settings = new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_CoordinationBootstrapServers"] = broker.BootstrapServers,
            ["KAFKA_RESTORED_CoordinationGroupId"] = "restored-" + suffix,
            ["KAFKA_RESTORED_CoordinationTopic"] = Topic,
            ["KAFKA_RESTORED_CoordinationStateTopic"] = StateTopic,
            ["KAFKA_RESTORED_CoordinationSessionTimeout"] = SessionTimeout,
            ["KAFKA_RESTORED_CoordinationUnitsTopic"] = "",
        };
        if (unitSlots > 0)
        {
            UnitsTopic = "units-" + suffix;
            broker.CreateTopic(UnitsTopic, unitSlots);
            _settings["KAFKA_RESTORED_CoordinationUnitsTopic"] = UnitsTopic;
            // The tests' restores are small (at most a few hundred thousand records): spread them all, below the default threshold.
            _settings["KAFKA_RESTORED_CoordinationSpreadMinRecords"] = "0";
        }
        foreach (var id in instances) Start(id);
    }

    /// <summary>The units topic (its partitions are the slots), or null when nothing is spread.</summary>
    public string? UnitsTopic { get; }

    /// <summary>Daemons without coordination, each in single-instance mode with <paramref name="settings"/>: the Git lease decides which acts.</summary>
    public DaemonGroup(GitRemote remote, TempDir dir, IReadOnlyDictionary<string, string?> settings, params string[] instances)
    {
        _remote = remote;
        _dir = dir;
        Topic = "";
        StateTopic = "";
        _settings = new Dictionary<string, string?>(settings);
        foreach (var id in instances) Start(id);
    }

    /// <summary>The coordination topic (created through the mock's own call: the mock cannot CreateTopics); empty without coordination.</summary>
    public string Topic { get; }

    /// <summary>The shared run state topic (created the same way); empty without coordination.</summary>
    public string StateTopic { get; }

    /// <summary><c>kafka-restored status --members</c> with this deployment's coordination settings, as an operator on any host runs it.</summary>
    public ProcessResult StatusMembers(params string[] more)
    {
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        return ProcessRunner.Run(apphost, ["status", "--members", .. more], environment: _settings, timeout: TimeSpan.FromMinutes(1));
    }

    public Dictionary<string, GitInputDaemon> Members { get; } = [];

    /// <summary>Starts (or restarts) the member <paramref name="id"/> on its own state directory.</summary>
    public GitInputDaemon Start(string id)
    {
        var daemon = new GitInputDaemon(_remote, _dir.Combine("state-" + id), _dir.Combine("secrets"),
            new Dictionary<string, string?>(_settings) { ["KAFKA_RESTORED_InstanceId"] = id });
        Members[id] = daemon;
        return daemon;
    }

    /// <summary>Each running member's /healthz role (null while its endpoint is not up).</summary>
    public async Task<Dictionary<string, string?>> RolesAsync()
    {
        var roles = new Dictionary<string, string?>();
        foreach (var (id, d) in Members.Where(m => !m.Value.HasExited))
            roles[id] = await d.HealthAsync() is { } h && h.Body.TryGetProperty("role", out var r) ? r.GetString() : null;
        return roles;
    }

    /// <summary>Waits until every running member answers and exactly one of them, other than <paramref name="not"/>, says leader; returns it.</summary>
    public async Task<string> LeaderAsync(TimeSpan timeout, string? not = null)
    {
        var guard = Stopwatch.StartNew();
        Dictionary<string, string?> roles = [];
        while (guard.Elapsed < timeout)
        {
            roles = await RolesAsync();
            var leaders = roles.Where(r => r.Value == "leader").Select(r => r.Key).ToList();
            if (roles.Values.All(r => r is not null) && leaders.Count == 1 && leaders[0] != not) return leaders[0];
            await Task.Delay(250);
        }
        Assert.Fail($"no single leader (other than {not}) within {timeout}: {string.Join(", ", roles.Select(r => $"{r.Key}={r.Value}"))}\n{Output()}");
        return "";
    }

    /// <summary>Every member's output, for failure messages.</summary>
    public string Output()
    {
        var sb = new StringBuilder();
        foreach (var (id, d) in Members) sb.Append("==== ").Append(id).Append('\n').Append(d.Output.Length > 8000 ? d.Output[^8000..] : d.Output);
        return sb.ToString();
    }

    public void Dispose()
    {
        foreach (var d in Members.Values) d.Dispose();
    }
}
