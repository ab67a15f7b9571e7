using System.Text.Json.Nodes;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>Issue #17, scripting: <c>--output json</c> of validate, status and backup describe prints one versioned document a script can read.</summary>
public sealed class JsonOutputTests : IDisposable
{
    private readonly TempDir _dir = new("kr-cli-json");

    public void Dispose() => _dir.Dispose();

    private static JsonNode Document(ProcessResult result, string kind)
    {
        var document = JsonNode.Parse(result.StdOut) ?? throw new InvalidOperationException("no JSON: " + result.StdOut + result.StdErr);
        Assert.Equal(("kafka-restored/v1", kind), ((string?)document["apiVersion"], (string?)document["kind"]));
        return document;
    }

    [Fact]
    public void Validate_json_lists_each_diagnostic_with_its_place_and_code_and_keeps_the_exit_code()
    {
        var clean = CliBinary.Run(["validate", "examples/repo", "--output", "json"], RepoPaths.Root);
        Assert.True(clean.ExitCode == 0, clean.StdOut + clean.StdErr);
        var ok = Document(clean, "ValidateResult");
        Assert.Equal((true, 10, 0), ((bool)ok["valid"]!, (int)ok["files"]!, (int)ok["errors"]!));
        Assert.Empty(ok["diagnostics"]!.AsArray());

        var file = _dir.Combine("bad.yaml");
        File.WriteAllText(file, UnreachableRestore.Yaml("r", "  surprise: 1\n"));
        var bad = CliBinary.Run(["validate", file, "-o", "json"]);
        Assert.True(bad.ExitCode == 1, bad.StdOut + bad.StdErr);
        var result = Document(bad, "ValidateResult");
        Assert.False((bool)result["valid"]!);
        var d = Assert.Single(result["diagnostics"]!.AsArray())!;
        Assert.Equal((file, 8, 3, "error", "team-a", "r"), ((string?)d["file"], (int)d["line"]!, (int)d["column"]!, (string?)d["severity"],
            (string?)d["resource"]!["namespace"], (string?)d["resource"]!["name"]));
        Assert.Contains("surprise", (string?)d["message"], StringComparison.Ordinal);

        var unknown = CliBinary.Run(["validate", file, "--output", "yaml"]);
        Assert.Equal(2, unknown.ExitCode);
    }

    [Fact]
    public void Status_json_lists_each_resource_with_its_phase_and_status()
    {
        using var remote = new GitRemote();
        remote.HumanCommit("one suspended restore", new Dictionary<string, string?>
        {
            ["r.yaml"] = UnreachableRestore.Yaml("held", "  suspend: true\n"),
        });
        var state = remote.Scratch("state");
        var config = Path.Combine(remote.Scratch("config"), "settings.json");
        File.WriteAllText(config, UnreachableRestore.Settings);
        var once = CliBinary.Run(["reconcile", "--once", "--repo", remote.BarePath, "--state-dir", state, "--config", config]);
        Assert.True(once.ExitCode == 0, once.StdOut + once.StdErr);

        var status = CliBinary.Run(["status", "--state-dir", state, "--output", "json"]);
        Assert.True(status.ExitCode == 0, status.StdOut + status.StdErr);
        var item = Assert.Single(Document(status, "StatusList")["items"]!.AsArray())!;
        Assert.Equal(("KafkaRestore", "team-a", "held", "Pending", "Suspended", "r.yaml"), ((string?)item["resource"]!["kind"], (string?)item["resource"]!["namespace"],
            (string?)item["resource"]!["name"], (string?)item["phase"], (string?)item["reason"], (string?)item["sourceFile"]));
        Assert.Equal("Pending", (string?)item["status"]!["phase"]);
        Assert.Null(item["status"]!["$kind"]);
    }

    [Fact]
    public async Task Backup_describe_json_gives_the_totals_per_topic_and_the_verification()
    {
        await OrdersBackup.WriteAsync(_dir.Combine("backups"), 2, 5);
        string[] describe = ["backup", "describe", "--backup-id", "backup-1", "--path", _dir.Combine("backups"), "--output", "json"];
        var plain = CliBinary.Run(describe);
        Assert.True(plain.ExitCode == 0, plain.StdOut + plain.StdErr);
        var document = Document(plain, "BackupDescription");
        Assert.Equal(("backup-1", 10L), ((string?)document["backupId"], (long)document["records"]!));
        var topic = Assert.Single(document["topics"]!.AsArray())!;
        Assert.Equal(("orders", 2, 10L), ((string?)topic["name"], (int)topic["partitions"]!, (long)topic["records"]!));
        Assert.Null(document["verification"]);

        var verified = Document(CliBinary.Run([.. describe, "--verify"]), "BackupDescription");
        Assert.True((bool)verified["verification"]!["verified"]!);
    }
}
