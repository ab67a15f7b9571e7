using System.Text.Json.Nodes;
using KafkaRestored.TestSupport;
using YamlDotNet.RepresentationModel;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>Issue #17: the pull request workflow of examples/ci and the bash completion script work as shipped, run by bash with the built binary on PATH.</summary>
public sealed class ShippedScriptsTests : IDisposable
{
    private readonly GitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    private static string Restore(string name) => UnreachableRestore.Yaml(name, "  suspend: true\n");

    private static Dictionary<string, string?> Environment(string temp) => new()
    {
        ["PATH"] = Path.GetDirectoryName(CliBinary.Path) + ":" + System.Environment.GetEnvironmentVariable("PATH"),
        ["RUNNER_TEMP"] = temp,
        ["GITHUB_STEP_SUMMARY"] = Path.Combine(temp, "summary.md"),
    };

    /// <summary>The run script of the workflow step named <paramref name="name"/>, with the GitHub expressions it uses filled in.</summary>
    private static string Step(string name, string headSha)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(RepoPaths.Root, "examples/ci/kafka-restored-pr.yml"))));
        var steps = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["jobs"])["plan"])["steps"];
        var step = steps.Cast<YamlMappingNode>().Single(s => s.Children.TryGetValue("name", out var n) && n.ToString() == name);
        return step["run"].ToString()
            .Replace("${{ github.event.pull_request.head.sha }}", headSha, StringComparison.Ordinal)
            .Replace("${{ github.base_ref }}", "main", StringComparison.Ordinal);
    }

    [Fact]
    public void The_pull_request_workflow_validates_and_writes_the_plan_in_markdown_and_json()
    {
        _remote.HumanCommit("a restore and the host settings", new Dictionary<string, string?>
        {
            ["restores/kept.yaml"] = Restore("kept"),
            [".kafka-restored/settings.json"] = UnreachableRestore.Settings,
        });
        var once = CliBinary.Run(["reconcile", "--once", "--repo", _remote.BarePath, "--state-dir", _remote.Scratch("state"),
            "--config", Path.Combine(_remote.HumanPath, ".kafka-restored/settings.json")]);
        Assert.True(once.ExitCode == 0, once.StdOut + once.StdErr);
        GitRemote.Git(_remote.HumanPath, "pull", "-q", "--rebase", "origin", "main");
        GitRemote.Git(_remote.HumanPath, "checkout", "-q", "-b", "pr");
        File.WriteAllText(Path.Combine(_remote.HumanPath, "restores/added.yaml"), Restore("added"));
        GitRemote.Git(_remote.HumanPath, "add", "-A");
        GitRemote.Git(_remote.HumanPath, "commit", "-q", "-m", "add a restore");
        var head = GitRemote.Git(_remote.HumanPath, "rev-parse", "HEAD").Trim();
        var temp = _remote.Scratch("runner-temp");

        foreach (var name in new[] { "Validate", "Plan" })
        {
            var run = ProcessRunner.Run("bash", ["-euo", "pipefail", "-c", Step(name, head)], _remote.HumanPath, Environment(temp), timeout: TimeSpan.FromMinutes(2));
            Assert.True(run.ExitCode == 0, $"{name}: {run.StdOut}{run.StdErr}");
        }
        var markdown = File.ReadAllText(Path.Combine(temp, "plan.md"));
        Assert.Contains("| Create | KafkaRestore `team-a/added` | new resource in restores/added.yaml:1:1: record as Pending |", markdown, StringComparison.Ordinal);
        // Already recorded on main (its status file), so held again rather than created.
        Assert.DoesNotContain("| Create | KafkaRestore `team-a/kept`", markdown, StringComparison.Ordinal);
        Assert.Contains("| Suspended | KafkaRestore `team-a/kept`", markdown, StringComparison.Ordinal);
        Assert.Equal(markdown, File.ReadAllText(Path.Combine(temp, "summary.md")));
        var plan = JsonNode.Parse(File.ReadAllText(Path.Combine(temp, "plan.json")))!;
        Assert.Equal((head, "origin/main"), ((string?)plan["revision"], (string?)plan["base"]!["ref"]));
        Assert.Contains(plan["actions"]!.AsArray(), a => (string?)a!["action"] == "Suspended" && (string?)a["resource"]!["name"] == "kept");
    }

    [Fact]
    public void The_bash_completion_script_completes_commands_options_and_option_values()
    {
        string Complete(string line)
        {
            var script = $"""
                source '{Path.Combine(RepoPaths.Root, "scripts/completion/kafka-restored.bash")}'
                COMP_LINE='{line}'; COMP_POINT=${"{"}#COMP_LINE{"}"}
                read -r -a COMP_WORDS <<< "$COMP_LINE"; [[ "$COMP_LINE" == *' ' ]] && COMP_WORDS+=('')
                COMP_CWORD=$(( ${"{"}#COMP_WORDS[@]{"}"} - 1 ))
                _kafka_restored_complete
                printf '%s\n' "${"{"}COMPREPLY[@]{"}"}"
                """;
            var run = ProcessRunner.Run("bash", ["-c", script], environment: Environment(_remote.Scratch("t")));
            Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
            return run.StdOut;
        }

        Assert.Equal("plan\n", Complete("kafka-restored pla"));
        Assert.Equal("--output\n", Complete("kafka-restored plan --outp"));
        Assert.Equal("json\nmarkdown\ntext\n", Complete("kafka-restored plan --output "));
        // validate has no markdown output: only what the command accepts is offered.
        Assert.Equal("json\ntext\n", Complete("kafka-restored validate --output "));
    }
}
