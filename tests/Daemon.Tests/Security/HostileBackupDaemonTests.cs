using System.Globalization;
using System.Text;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Daemon.Tests.Security;

/// <summary>
/// Issue 19, finding 2, through the real binary (<c>reconcile --once</c> on a bare Git remote): a
/// committer points <c>filesystem.path</c> at a shared folder holding a planted manifest whose
/// segment key reaches a secret-like file outside the backup's folder: another folder of the root,
/// a '..' key, a link. Every restore fails with InvalidBackupManifest naming the key, and neither
/// the status files, the process output, <c>git log -p</c> nor the state folder holds any byte of
/// the file (as text or as hex), its size or its path.
/// </summary>
public sealed class HostileBackupDaemonTests(KafkaFixture kafka, ITestOutputHelper output) : IClassFixture<KafkaFixture>, IDisposable
{
    private const string Namespace = "kafka-backup";
    private readonly GitRemote _remote = new();
    private readonly TempDir _dir = new("kr-hostile-daemon");

    public void Dispose()
    {
        _remote.Dispose();
        _dir.Dispose();
    }

    /// <summary>
    /// The daemon's settings file: the one place options are built for this test. The policy allows
    /// all: this test is about keys escaping a folder the policy does allow.
    /// </summary>
    private string Settings()
    {
        var path = _dir.Combine("settings.json");
        File.WriteAllText(path, "{" + TestPolicy.AllowAllJson + "}");
        return path;
    }

    [Fact]
    public async Task A_planted_manifest_reaching_a_secret_file_reveals_nothing_of_it_in_status_logs_or_git()
    {
        // The shared folder a committer may name: it holds the planted backups and, beside them, secrets.
        var root = _dir.Combine("shared");
        var secret = "-----BEGIN EC PRIVATE KEY-----\n" + Guid.NewGuid().ToString("N") + new string('Q', 1777) + "\n-----END EC PRIVATE KEY-----\n";
        var secretPath = Path.Combine(root, "secrets", "prod-tls", "key");
        var shortSecret = "----SHORT-" + Guid.NewGuid().ToString("N")[..11];
        Assert.Equal(21, shortSecret.Length);
        var shortPath = Path.Combine(_dir.Path, "elsewhere", "short");
        Directory.CreateDirectory(Path.GetDirectoryName(secretPath)!);
        Directory.CreateDirectory(Path.GetDirectoryName(shortPath)!);
        await File.WriteAllTextAsync(secretPath, secret);
        await File.WriteAllTextAsync(shortPath, shortSecret);

        var storage = new FilesystemBackupStorage(root);
        var probes = new Dictionary<string, (string BackupId, string Key)>
        {
            ["probe-other-folder"] = ("evilbk", "secrets/prod-tls/key"),
            ["probe-dotdot"] = ("evilbk2", "evilbk2/../../elsewhere/short"),
            ["probe-link"] = ("evilbk3", "evilbk3/topics/orders/partition=0/segment-00000000000000000000.bin"),
        };
        foreach (var (_, (backupId, key)) in probes) await PlantAsync(storage, backupId, key);
        var link = Path.Combine(root, probes["probe-link"].Key);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, secretPath);

        var target = kafka.Broker.CreateUniqueTopic("hostile", 1);
        _remote.HumanCommit("restores of planted backups", probes.ToDictionary(
            p => $"restores/{p.Key}.yaml", p => (string?)RestoreYaml(p.Key, p.Value.BackupId, root, target)));

        var state = _dir.Combine("state");
        var secrets = _dir.Combine("daemon-secrets");
        Directory.CreateDirectory(secrets);
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        var run = ProcessRunner.Run(apphost,
            ["reconcile", "--once", "--repo", _remote.BarePath, "--branch", _remote.Branch, "--state-dir", state, "--secrets-dir", secrets, "--config", Settings()],
            timeout: TimeSpan.FromMinutes(3));
        output.WriteLine(run.StdOut + run.StdErr);

        // Positive control: each restore failed on its key, and the status says so with the key as written.
        var places = new Dictionary<string, string> { ["stdout"] = run.StdOut, ["stderr"] = run.StdErr };
        foreach (var (name, (_, key)) in probes)
        {
            var status = _remote.RemoteGit("show", $"{_remote.Branch}:status/kafkarestore/{Namespace}/{name}.yaml");
            Assert.Contains("phase: Failed", status, StringComparison.Ordinal);
            Assert.Contains("reason: InvalidBackupManifest", status, StringComparison.Ordinal);
            Assert.Contains(key, status, StringComparison.Ordinal);
            places[$"status of {name}"] = status;
        }
        // The patches, without the commit and blob hashes (hex that could hold any digits).
        places["git log -p"] = string.Join('\n', _remote.RemoteGit("log", "-p", "--format=%s%n%b", "--all")
            .Split('\n').Where(l => !l.StartsWith("index ", StringComparison.Ordinal)));
        foreach (var file in Directory.EnumerateFiles(state, "*", SearchOption.AllDirectories))
            places["state " + Path.GetRelativePath(state, file)] = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file));

        var needles = new List<string>
        {
            secret[..16], secret[31..63], shortSecret, "----",
            Convert.ToHexString(Encoding.ASCII.GetBytes(secret[..4])), // 2D2D2D2D, the leak
            Convert.ToHexString(Encoding.ASCII.GetBytes(shortSecret[..4])),
            secretPath, shortPath, Path.Combine(root, "secrets"),
        };
        foreach (var size in new[] { Encoding.UTF8.GetByteCount(secret), shortSecret.Length })
        {
            var digits = size.ToString(CultureInfo.InvariantCulture);
            needles.AddRange([digits + " bytes", "after " + digits, "size " + digits, digits + "-byte"]);
        }
        foreach (var (place, text) in places)
        {
            foreach (var needle in needles)
                Assert.False(text.Contains(needle, StringComparison.OrdinalIgnoreCase), $"{place} contains '{needle}':\n{text}");
        }
    }

    private static async Task PlantAsync(FilesystemBackupStorage storage, string backupId, string key)
    {
        var segment = new SegmentInfo(key, 0, 0, 1, 1, 1, 40, 60);
        var manifest = new BackupManifest(backupId, 1, null, ["source:9092"], "none",
            [new TopicBackup("orders", 1, [new PartitionBackup(0, [segment], null)])]);
        await BackupManifestStore.WriteAsync(storage, manifest, CancellationToken.None);
    }

    private string RestoreYaml(string name, string backupId, string root, string target) => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata:
          name: {name}
          namespace: {Namespace}
        spec:
          backupId: {backupId}
          targetCluster:
            bootstrapServers: [{kafka.Broker.BootstrapServers.Replace(",", ", ", StringComparison.Ordinal)}]
          storage:
            storageType: filesystem
            filesystem:
              path: {root}
          topicMapping:
            orders: {target}
          job:
            backoffLimit: 0

        """;
}
