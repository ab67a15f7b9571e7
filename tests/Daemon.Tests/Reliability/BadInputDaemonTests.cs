using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Validation;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;
using YamlDotNet.Serialization;

namespace KafkaRestored.Daemon.Tests.Reliability;

/// <summary>
/// Issue 10, bad input through the running daemon: one human commit holding the whole validation
/// corpus, path-traversal names, duplicate identities, a 10 MB YAML, a binary *.yaml, symbolic links
/// leading out of the repository, a restore referencing a missing secret, and one valid restore.
/// Every resource with a known identity gets its status file and message, every other problem a
/// log line naming the file, the valid restore completes, /healthz stays OK, and the daemon's
/// commits touch nothing outside status/.
/// </summary>
public sealed partial class BadInputDaemonTests(KafkaFixture kafka, ITestOutputHelper output) : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 2;
    private const int RecordsPerPartition = 25;
    private static readonly string CorpusDir = Path.Combine(RepoPaths.Root, "tests", "Restore.Tests", "Resources", "Validation", "Corpus");
    private readonly GitRemote _remote = new();
    private readonly TempDir _dir = new("kr-badinput");

    public void Dispose()
    {
        _remote.Dispose();
        _dir.Dispose();
    }

    [GeneratedRegex(@"^# expect: \d+:\d+ error ", RegexOptions.Multiline)]
    private static partial Regex ErrorExpectation();

    [GeneratedRegex(@"corpus-(restore|reset|rollback|drill)\b")]
    private static partial Regex CorpusName();

    [Fact]
    public async Task Every_bad_input_gets_its_status_or_a_log_line_naming_the_file_and_the_daemon_keeps_serving_the_rest()
    {
        var orders = await OrdersBackup.WriteAsync(_dir.Combine("backups"), Partitions, RecordsPerPartition, (p, i) => $"v-{p}-{i}");
        var secrets = _dir.Combine("secrets");
        Directory.CreateDirectory(secrets);
        var target = kafka.Broker.CreateUniqueTopic("badinput-good", Partitions);

        var (texts, corpusFiles) = BadInputTexts(target, orders);
        var humanPaths = CommitBadInput(texts, target, orders);

        // What the loader says about each text file, combined across the repository as the daemon does.
        var expected = ResourceLoader.Combine(texts.Select(t => ResourceLoader.ParseFile(t.Key, t.Value)));
        var withIdentity = expected.Diagnostics.Where(d => d.IsError && d.Resource is not null).GroupBy(d => d.Resource!.Value).ToList();
        var withoutIdentity = expected.Diagnostics.Where(d => d.IsError && d.Resource is null).ToList();
        Assert.Equal(["KafkaRestore kafka-backup/good", "KafkaRestore kafka-backup/missing-secret"], expected.Resources.Select(r => r.Resource.Id.ToString()).Order());

        using var daemon = new GitInputDaemon(_remote, _dir.Combine("state"), secrets);
        await daemon.WaitForAsync("the good restore Completed and the missing secret Failed", () => Task.FromResult(
            Status("kafkarestore", "kafka-backup", "good")?.Phase == "Completed" && Status("kafkarestore", "kafka-backup", "missing-secret")?.Phase == "Failed"),
            TimeSpan.FromMinutes(4));
        await daemon.WaitForAsync("every invalid identity's status", () => Task.FromResult(withIdentity.All(g => Status(g.Key.Kind.ToLowerInvariant(), g.Key.Namespace, g.Key.Name) is not null)),
            TimeSpan.FromMinutes(2));

        // Each identity: Failed, with every error at its file:line:column (duplicates: every place).
        foreach (var group in withIdentity)
        {
            var status = Status(group.Key.Kind.ToLowerInvariant(), group.Key.Namespace, group.Key.Name)!;
            Assert.Equal("Failed", status.Phase);
            var duplicate = group.Any(d => d.Code == DiagnosticCodes.DuplicateIdentity);
            Assert.Equal(duplicate ? "DuplicateResource" : "InvalidSpec", status.Reason);
            foreach (var d in group)
                Assert.Contains(duplicate ? $"{d.File}:{d.Line}:{d.Column}" : $"{d.File}:{d.Line}:{d.Column}: error: {d.Code}", status.Message, StringComparison.Ordinal);
        }
        // No identity: a log line naming the file, line, column and code.
        var log = daemon.Output;
        foreach (var d in withoutIdentity) Assert.Contains($"{d.File}:{d.Line}:{d.Column}: error: {d.Code}", log, StringComparison.Ordinal);
        Assert.Contains("hostile/binary.yaml:1:1: error: BinaryFile", log, StringComparison.Ordinal);
        Assert.Contains("hostile/link-to-etc.yaml:1:1: error: SymlinkNotFollowed", log, StringComparison.Ordinal);
        Assert.Contains("hostile/link-out-of-repo.yaml:1:1: error: SymlinkNotFollowed", log, StringComparison.Ordinal);
        Assert.DoesNotContain("root:x:0:0", log, StringComparison.Ordinal);

        // The hostile cases by name.
        Assert.Contains(withoutIdentity, d => d.File == "hostile/traversal-name.yaml" && d.Code == DiagnosticCodes.InvalidName);
        Assert.Contains(withoutIdentity, d => d.File == "hostile/traversal-namespace.yaml" && d.Code == DiagnosticCodes.InvalidName);
        Assert.Contains(withoutIdentity, d => d.File == "hostile/namespace-with-slash.yaml" && d.Code == DiagnosticCodes.InvalidName);
        Assert.Contains(withoutIdentity, d => d.File == "hostile/name-with-newline.yaml" && d.Code == DiagnosticCodes.InvalidName);
        var twice = Status("kafkarestore", "kafka-backup", "twice")!;
        Assert.Contains("hostile/duplicate-a.yaml:", twice.Message, StringComparison.Ordinal);
        Assert.Contains("hostile/duplicate-b.yaml:", twice.Message, StringComparison.Ordinal);
        Assert.Contains("error: DocumentTooLarge", Status("kafkarestore", "kafka-backup", "huge")!.Message, StringComparison.Ordinal);
        var missing = Status("kafkarestore", "kafka-backup", "missing-secret")!;
        Assert.Equal("SecretNotFound", missing.Reason);
        Assert.Contains(Path.Combine(secrets, "no-such-secret"), missing.Message, StringComparison.Ordinal);
        Assert.Null(Status("kafkarestore", "kafka-backup", "escaped"));
        Assert.Equal(Partitions * RecordsPerPartition, RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, target, Partitions).Count);

        var daemonPaths = AssertDaemonWroteOnlyStatusFiles(humanPaths);

        var health = (await daemon.HealthAsync())!.Value;
        Assert.Equal(HttpStatusCode.OK, health.Code);
        Assert.Equal(0.0, (await daemon.MetricAsync("kafka_restored_git_fetch_errors_total"))!.Value);
        Assert.False(daemon.HasExited);
        Assert.Equal(0, daemon.Stop());
        output.WriteLine($"one commit, {humanPaths.Count - 1} files: {corpusFiles} corpus files with errors, 4 path-traversal/newline names, 2 duplicate files, " +
            $"a {texts["hostile/ten-megabytes.yaml"].Length:N0}-character YAML, 1 binary, 2 symlinks out of the repo, 1 missing secret, 1 valid restore; " +
            $"{withIdentity.Count} identities got a Failed status with every error, {withoutIdentity.Count + 3} file problems logged by file:line:column, " +
            $"valid restore Completed ({Partitions * RecordsPerPartition} records once), /healthz 200, daemon wrote {daemonPaths.Count} paths, all under status/");
    }

    /// <summary>The text files of the bad-input commit by repository path: the corpus files with errors, the hostile cases and one valid restore; and how many came from the corpus.</summary>
    private (Dictionary<string, string> Texts, int CorpusFiles) BadInputTexts(string target, OrdersBackup orders)
    {
        // Text files the daemon parses, by repository path.
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var file in Directory.GetFiles(CorpusDir, "*.yaml").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            // Warning-only documents are valid and would run; the multi-document files hold a valid one too (a restore; the KafkaBackup
            // a drill's backupRef misses by namespace).
            if (!ErrorExpectation().IsMatch(text) || Path.GetFileName(file) is "several-documents-one-file.yaml" or "drill-backupRef-not-found.yaml") continue;
            // The corpus reuses three names; one identity per file keeps each file's status apart.
            texts[$"corpus/{Path.GetFileName(file)}"] = CorpusName().Replace(text, m => $"{m.Value}-{index:D3}");
            index++;
        }
        var corpusFiles = texts.Count;
        texts["hostile/traversal-name.yaml"] = Resource("\"../../etc\"", "kafka-backup", target, orders);
        texts["hostile/traversal-namespace.yaml"] = Resource("escape", "\"../../../tmp\"", target, orders);
        texts["hostile/namespace-with-slash.yaml"] = Resource("slash", "a/b", target, orders);
        texts["hostile/name-with-newline.yaml"] = Resource("\"newline\\n\"", "kafka-backup", target, orders);
        texts["hostile/duplicate-a.yaml"] = Resource("twice", "kafka-backup", target, orders);
        texts["hostile/duplicate-b.yaml"] = Resource("twice", "kafka-backup", target, orders);
        var huge = new StringBuilder(Resource("huge", "kafka-backup", target, orders)).Append("  podTemplate:\n    annotations:\n");
        for (var i = 0; huge.Length < 10_000_000; i++) huge.Append("      a").Append(i).Append(": \"").Append('x', 80).Append("\"\n");
        texts["hostile/ten-megabytes.yaml"] = huge.ToString();
        texts["hostile/missing-secret.yaml"] = Resource("missing-secret", "kafka-backup", target, orders,
            "    securityProtocol: SASL_PLAINTEXT\n    saslSecret: {name: no-such-secret, mechanism: PLAIN}\n", backoffLimit: 0);
        texts["restores/good.yaml"] = Resource("good", "kafka-backup", target, orders);
        return (texts, corpusFiles);
    }

    /// <summary>Writes the texts, a binary *.yaml and two symbolic links out of the repository, commits and pushes them as one human commit; returns the paths in it.</summary>
    private HashSet<string> CommitBadInput(Dictionary<string, string> texts, string target, OrdersBackup orders)
    {
        var human = _remote.HumanPath;
        foreach (var (path, text) in texts) Write(Path.Combine(human, path), Encoding.UTF8.GetBytes(text));
        var binary = new byte[64 * 1024];
        new Random(10).NextBytes(binary);
        binary[100] = 0;
        Write(Path.Combine(human, "hostile/binary.yaml"), binary);
        // Links that would lead out of the repository: to a system file, and to a valid restore beside the clone.
        File.WriteAllText(Path.Combine(_remote.Scratch("outside"), "restore.yaml"), Resource("escaped", "kafka-backup", target, orders));
        File.CreateSymbolicLink(Path.Combine(human, "hostile/link-to-etc.yaml"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Combine(human, "hostile/link-out-of-repo.yaml"), "../../outside/restore.yaml");
        GitRemote.Git(human, "add", "-A");
        GitRemote.Git(human, "commit", "-q", "-m", "bad input, and one good restore");
        GitRemote.Git(human, "push", "-q", "origin", _remote.Branch);
        Assert.Contains("120000", _remote.RemoteGit("ls-tree", _remote.Branch, "hostile/link-to-etc.yaml"), StringComparison.Ordinal);
        var humanPaths = _remote.RemoteGit("ls-tree", "-r", "--name-only", _remote.Branch).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        return humanPaths;
    }

    /// <summary>The daemon wrote only status files, all under status/; returns the paths it wrote.</summary>
    private List<string> AssertDaemonWroteOnlyStatusFiles(HashSet<string> humanPaths)
    {
        var daemonPaths = _remote.RemoteGit("log", "--author=kafka-restored", "--format=", "--name-only", _remote.Branch)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        Assert.NotEmpty(daemonPaths);
        Assert.All(daemonPaths, p => Assert.StartsWith("status/", p, StringComparison.Ordinal));
        Assert.All(_remote.RemoteGit("ls-tree", "-r", "--name-only", _remote.Branch).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(p => !humanPaths.Contains(p)),
            p => Assert.Matches(@"^status/[a-z0-9]+/[a-z0-9][-a-z0-9.]*/[a-z0-9][-a-z0-9.]*\.yaml$", p));
        Assert.All(daemonPaths, p => Assert.DoesNotContain("..", p, StringComparison.Ordinal));
        return daemonPaths;
    }

    private sealed record StatusView(string Phase, string Reason, string Message);

    private StatusView? Status(string kind, string ns, string name)
    {
        var run = ProcessRunner.Run("git", ["show", $"{_remote.Branch}:status/{kind}/{ns}/{name}.yaml"], _remote.BarePath);
        if (run.ExitCode != 0) return null;
        var doc = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(run.StdOut);
        var status = (Dictionary<object, object>)doc["status"];
        var ready = ((List<object>)status["conditions"]).Cast<Dictionary<object, object>>().Single(c => (string)c["type"] == "Ready");
        return new StatusView((string)status["phase"], (string)ready["reason"], (string)ready["message"]);
    }

    private static void Write(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    private string Resource(string name, string ns, string target, OrdersBackup orders, string security = "", int backoffLimit = 3) =>
        orders.RestoreYaml(name, target, kafka.Broker.BootstrapServers, $"\n  onExistingData: append\n  job:\n    backoffLimit: {backoffLimit}", ns: ns, security: security);
}
