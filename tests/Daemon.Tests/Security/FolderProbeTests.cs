using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Security;

/// <summary>
/// Issue 19, finding 2, against the real daemon (`reconcile --once`): a team-b committer points
/// folder restores at a folder outside every allowed root, holding real backups whose manifest's
/// segment key names a secret-like file (a PEM key; a 21-byte token), plus a folder that does not
/// exist. Without a policy, and with one whose Folders root is elsewhere, each is Failed with
/// PolicyDenied and nothing about the files (their bytes as text or hex, their sizes, their names,
/// whether the folder exists) shows in status, daemon output or Git history. The positive control
/// allows the folder and sees the magic, the size and the missing backup reported, so the search
/// would catch a probe. Keys escaping an allowed folder are another test's subject.
/// </summary>
public sealed class FolderProbeTests : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly KafkaFixture _kafka;
    private readonly HostileRepo _repo = new();
    private readonly TempDir _outside = new("kr-probe");
    private readonly byte[] _pem;
    private readonly byte[] _token;

    private static readonly string[] Names = ["probe-magic", "probe-size", "probe-absent"];

    public FolderProbeTests(KafkaFixture kafka)
    {
        _kafka = kafka;
        _pem = Encoding.ASCII.GetBytes("-----BEGIN PRIVATE KEY-----\n" +
            string.Join('\n', Enumerable.Range(0, 20).Select(_ => Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).Concat(Guid.NewGuid().ToByteArray()).ToArray())[..64])) +
            "\n-----END PRIVATE KEY-----\n");
        _token = Encoding.ASCII.GetBytes("tok-" + Guid.NewGuid().ToString("N")[..17]);
        Assert.Equal(21, _token.Length);
        PlantBackup(Folder("probe-magic"), "keys/prod-tls.key", _pem);
        PlantBackup(Folder("probe-size"), "keys/short-token", _token);
        _repo.Remote.HumanCommit("team-b: folder restores", Names.ToDictionary(n => $"restores/{n}.yaml", n => (string?)Restore(n)));
    }

    public void Dispose()
    {
        _repo.Dispose();
        _outside.Dispose();
    }

    /// <summary>Each restore's folder; probe-absent's is never created.</summary>
    private string Folder(string name) => _outside.Combine(name);

    /// <summary>A real one-record backup whose manifest then points its segment at <paramref name="key"/> (inside the backup's own folder) holding <paramref name="content"/>.</summary>
    private static void PlantBackup(string folder, string key, byte[] content)
    {
        _ = new OrdersBackup(folder, partitions: 1, recordsPerPartition: 1);
        var file = Path.Combine(folder, "backup-1", key);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, content);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var manifestPath = Path.Combine(folder, "backup-1", "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        var segment = manifest["topics"]![0]!["partitions"]![0]!["segments"]![0]!;
        segment["key"] = "backup-1/" + key;
        File.WriteAllText(manifestPath, manifest.ToJsonString());
    }

    private string Restore(string name) => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata:
          name: {name}
          namespace: {HostileRepo.Namespace}
        spec:
          backupId: backup-1
          targetCluster:
            bootstrapServers: [{_kafka.Broker.BootstrapServers.Replace(",", ", ", StringComparison.Ordinal)}]
          storage:
            storageType: filesystem
            filesystem:
              path: {Folder(name)}
          topics: [orders]
          topicMapping:
            orders: {_kafka.Broker.CreateUniqueTopic("probed-" + name, 1)}
          job:
            backoffLimit: 0

        """;

    private string? Policy(string way) => way switch
    {
        "no Policy" => null,
        "Policy whose Folders root is elsewhere" => """{ "team-b": { "Clusters": ["127.0.0.1:*"], "Folders": ["/srv/backups/team-b"] } }""",
        "Policy allowing the folder" => $$"""{ "team-b": { "Clusters": ["127.0.0.1:*"], "Folders": ["{{_outside.Path}}"] } }""",
        _ => throw new ArgumentOutOfRangeException(nameof(way), way, null),
    };

    /// <summary>What would tell the committer something about the planted files: their bytes (text, hex), sizes and names.</summary>
    private IEnumerable<(string What, Regex Pattern)> Revealing()
    {
        var pemLines = Encoding.ASCII.GetString(_pem).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var (line, i) in pemLines.Select((l, i) => (l, i)))
            yield return ($"PEM line {i + 1}", new Regex(Regex.Escape(line), RegexOptions.None, TimeSpan.FromSeconds(5)));
        foreach (var (what, bytes) in new[] { ("PEM", _pem), ("token", _token) })
        {
            var hex = Convert.ToHexString(bytes, 0, 4);
            yield return ($"{what} first bytes as hex", new Regex($"{hex}|{string.Join("[ -]?", Enumerable.Range(0, 4).Select(i => hex.Substring(i * 2, 2)))}", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(5)));
            yield return ($"{what} size", new Regex($@"\b({bytes.Length}|{bytes.Length.ToString("N0", CultureInfo.InvariantCulture)})[ -]?(bytes?|B)\b", RegexOptions.None, TimeSpan.FromSeconds(5)));
        }
        yield return ("token text", new Regex(Regex.Escape(Encoding.ASCII.GetString(_token)), RegexOptions.None, TimeSpan.FromSeconds(5)));
        yield return ("PEM size alone", new Regex($@"\b{_pem.Length}\b", RegexOptions.None, TimeSpan.FromSeconds(5)));
        yield return ("file names", new Regex(@"prod-tls\.key|short-token|keys/", RegexOptions.None, TimeSpan.FromSeconds(5)));
        yield return ("manifest read", new Regex(@"wrong magic|object ends after|CorruptSegment|manifest\.json|BackupNotFound", RegexOptions.None, TimeSpan.FromSeconds(5)));
    }

    private List<string> Reveals(IReadOnlyDictionary<string, string> places) =>
        [.. from p in places from r in Revealing() where r.Pattern.IsMatch(p.Value) select $"{p.Key}: {r.What}"];

    /// <summary>The Ready condition's reason and message with the resource's own name and folder blanked, to compare an existing folder with a missing one.</summary>
    private string Verdict(string status, string name)
    {
        var lines = status.Split('\n').Where(l => l.TrimStart().StartsWith("reason:", StringComparison.Ordinal) || l.TrimStart().StartsWith("message:", StringComparison.Ordinal));
        return string.Join('\n', lines).Replace(Folder(name), "<FOLDER>", StringComparison.Ordinal).Replace(name, "<NAME>", StringComparison.Ordinal);
    }

    private (DaemonRun Run, Dictionary<string, string> Places, Dictionary<string, string> Statuses) Reconcile(string way)
    {
        // A finished restore ends the run; the positive control's failures are final (backoffLimit 0).
        var run = _repo.ReconcileOnce(Policy(way), new Dictionary<string, string?>(), () => false, TimeSpan.FromSeconds(150));
        Assert.False(run.TimedOut, $"{way}: reconcile --once did not finish in 150 s\n{run.Output}");
        var statuses = new Dictionary<string, string>();
        foreach (var name in Names)
        {
            var status = _repo.Status("KafkaRestore", name);
            Assert.True(status is not null, $"{way}: no status file for {name}\n{run.Output}");
            statuses[name] = status;
        }
        var places = new Dictionary<string, string>
        {
            ["daemon stdout"] = run.StdOut,
            ["daemon stderr"] = run.StdErr,
            ["git log -p --all"] = _repo.GitHistory(),
        };
        foreach (var (name, status) in statuses) places["status " + name] = status;
        return (run, places, statuses);
    }

    [Theory]
    [InlineData("no Policy")]
    [InlineData("Policy whose Folders root is elsewhere")]
    public void A_folder_outside_every_allowed_root_is_refused_and_reveals_nothing_about_its_files(string way)
    {
        var (run, places, statuses) = Reconcile(way);

        var reveals = Reveals(places);
        Assert.True(reveals.Count == 0, $"{way}: the daemon revealed the planted files:\n{string.Join('\n', reveals)}\n" +
            string.Join('\n', statuses.Select(s => $"--- {s.Key}\n{s.Value}")));
        foreach (var (name, status) in statuses)
        {
            Assert.Contains("phase: Failed", status, StringComparison.Ordinal);
            Assert.Contains("reason: PolicyDenied", status, StringComparison.Ordinal);
            Assert.Contains($"Policy:{HostileRepo.Namespace}:", status, StringComparison.Ordinal);
        }
        // Existence: a folder holding a backup and one that does not exist get the same answer.
        Assert.Equal(Verdict(statuses["probe-absent"], "probe-absent"), Verdict(statuses["probe-magic"], "probe-magic"));
        Assert.Equal(Verdict(statuses["probe-absent"], "probe-absent"), Verdict(statuses["probe-size"], "probe-size"));
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public void Positive_control_with_the_folder_allowed_the_status_shows_the_magic_the_size_and_the_missing_backup()
    {
        var (_, places, statuses) = Reconcile("Policy allowing the folder");

        Assert.Contains("wrong magic 0x2D2D2D2D", statuses["probe-magic"], StringComparison.Ordinal);
        Assert.Contains("object ends after 21 bytes", statuses["probe-size"], StringComparison.Ordinal);
        Assert.Contains("reason: BackupNotFound", statuses["probe-absent"], StringComparison.Ordinal);
        Assert.NotEqual(Verdict(statuses["probe-absent"], "probe-absent"), Verdict(statuses["probe-magic"], "probe-magic"));
        // The same search the refused runs rely on finds what leaked, in status and in Git history.
        var reveals = Reveals(places);
        Assert.Contains("status probe-magic: PEM first bytes as hex", reveals);
        Assert.Contains("status probe-size: token size", reveals);
        Assert.Contains("git log -p --all: PEM first bytes as hex", reveals);
        Assert.Contains("git log -p --all: token size", reveals);
    }
}
