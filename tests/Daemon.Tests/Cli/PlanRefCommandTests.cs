using System.Text.Json.Nodes;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>
/// Issue #17, plans for pull requests through the built binary: <c>plan --ref</c> on a branch of a real
/// clone prints each action in Markdown and JSON, and after the merge the daemon's own <c>plan</c>
/// (its state store, the fetched branch) plans the same actions.
/// </summary>
public sealed class PlanRefCommandTests : IDisposable
{
    private readonly GitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    private static ProcessResult Cli(params string[] args) => CliBinary.Run(args);

    private string Human(params string[] args) => GitRemote.Git(_remote.HumanPath, args);

    /// <summary>A restore into a cluster nobody listens on; suspended, so nothing ever tries it.</summary>
    private static string Restore(string name, string topic) => UnreachableRestore.Yaml(name, $"  topicMapping: {{orders: {topic}}}\n  suspend: true\n");

    private static JsonArray Actions(string json) => JsonNode.Parse(json)!["actions"]!.AsArray();

    private static string[] Lines(JsonArray actions) => [.. actions.Select(a =>
        $"{a!["action"]} {a["resource"]!["kind"]} {a["resource"]!["namespace"]}/{a["resource"]!["name"]}: {a["reason"]}")];

    [Fact]
    public void Plan_ref_prints_each_action_of_a_branch_in_markdown_and_json_and_the_daemon_then_plans_the_same()
    {
        _remote.HumanCommit("two suspended restores", new Dictionary<string, string?>
        {
            ["restores/edited.yaml"] = Restore("edited", "orders-a"),
            ["restores/gone.yaml"] = Restore("gone", "orders-a"),
        });
        var state = _remote.Scratch("state");
        var config = Path.Combine(_remote.Scratch("config"), "settings.json");
        File.WriteAllText(config, UnreachableRestore.Settings);
        string[] settings = ["--repo", _remote.BarePath, "--branch", _remote.Branch, "--state-dir", state, "--config", config];
        var once = Cli(["reconcile", "--once", .. settings]);
        Assert.True(once.ExitCode == 0, once.StdOut + once.StdErr);

        Human("pull", "-q", "--rebase", "origin", _remote.Branch);
        Human("checkout", "-q", "-b", "pr");
        File.WriteAllText(Path.Combine(_remote.HumanPath, "restores/added.yaml"), Restore("added", "orders-b"));
        File.WriteAllText(Path.Combine(_remote.HumanPath, "restores/edited.yaml"), Restore("edited", "orders-b"));
        File.Delete(Path.Combine(_remote.HumanPath, "restores/gone.yaml"));
        Human("add", "-A");
        Human("commit", "-q", "-m", "add, edit, delete");
        var before = Human("status", "--porcelain", "--branch");
        string[] proposed = ["plan", "--ref", "pr", "--base", "origin/" + _remote.Branch, "--repo", _remote.HumanPath, "--config", config];

        var markdown = Cli([.. proposed, "--output", "markdown"]);
        Assert.True(markdown.ExitCode == 0, markdown.StdOut + markdown.StdErr);
        Assert.Contains("### kafka-restored plan", markdown.StdOut, StringComparison.Ordinal);
        Assert.Contains("| Create | KafkaRestore `team-a/added` | new resource in restores/added.yaml:", markdown.StdOut, StringComparison.Ordinal);
        Assert.Contains("| Suspended | KafkaRestore `team-a/added` | spec.suspend is true: not started; set spec.suspend: false (or remove it) to let it start |", markdown.StdOut, StringComparison.Ordinal);
        Assert.Contains("| NewGeneration | KafkaRestore `team-a/edited` | spec changed while Pending: new generation 2, attempts reset |", markdown.StdOut, StringComparison.Ordinal);
        Assert.Contains("| Remove | KafkaRestore `team-a/gone` | YAML deleted (was restores/gone.yaml): remove the status file, keep a tombstone |", markdown.StdOut, StringComparison.Ordinal);

        var json = Cli([.. proposed, "--output", "json"]);
        Assert.True(json.ExitCode == 0, json.StdOut + json.StdErr);
        var document = JsonNode.Parse(json.StdOut)!;
        Assert.Equal(("kafka-restored/v1", "Plan", "pr"), ((string?)document["apiVersion"], (string?)document["kind"], (string?)document["ref"]));
        Assert.Equal(Human("rev-parse", "pr").Trim(), (string?)document["revision"]);
        var planned = Lines(Actions(json.StdOut));
        Assert.Equal(["Create", "Suspended", "NewGeneration", "Suspended", "Remove"], planned.Select(l => l.Split(' ')[0]));
        // Without --base: origin's branch, which a local branch may lag behind.
        var byDefault = JsonNode.Parse(Cli(["plan", "--ref", "pr", "--repo", _remote.HumanPath, "--config", config, "--output", "json"]).StdOut)!;
        Assert.Equal("origin/" + _remote.Branch, (string?)byDefault["base"]!["ref"]);
        Assert.Equal(planned, Lines(Actions(byDefault.ToJsonString())));
        // Read only: the clone is as it was.
        Assert.Equal(before, Human("status", "--porcelain", "--branch"));

        // Merged: the daemon's plan (its state store, the fetched branch) is the same, action for action.
        Human("checkout", "-q", _remote.Branch);
        Human("merge", "-q", "--ff-only", "pr");
        Human("push", "-q", "origin", _remote.Branch);
        var daemon = Cli(["plan", "--all", "--output", "json", .. settings]);
        Assert.True(daemon.ExitCode == 0, daemon.StdOut + daemon.StdErr);
        Assert.Equal(planned, Lines(Actions(daemon.StdOut)));
    }

    [Fact]
    public void Plan_ref_names_a_revision_the_clone_does_not_have()
    {
        var result = Cli("plan", "--ref", "no-such-branch", "--repo", _remote.HumanPath);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'no-such-branch' names no commit in", result.StdErr, StringComparison.Ordinal);

        var url = Cli("plan", "--ref", "HEAD", "--repo", "https://user:hunter2@example.com/config.git");
        Assert.Equal(1, url.ExitCode);
        Assert.Contains("--ref plans from a local clone", url.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", url.StdErr, StringComparison.Ordinal);
    }
}
