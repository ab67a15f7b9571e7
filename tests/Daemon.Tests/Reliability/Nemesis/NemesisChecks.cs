using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Reliability.Nemesis;

/// <summary>
/// The nemesis run's checks from outside the product, on the bare config remote: each status file's
/// history only moves forward, and the branch only moved by fast-forward except where the human
/// force-pushed (and then only to what the human pushed).
/// </summary>
internal static partial class NemesisChecks
{
    private static readonly string[] Order = ["Pending", "Running", "Completed"];

    /// <summary>
    /// Every version of <paramref name="path"/> on the branch's first-parent history, oldest first: within a
    /// generation the phase never goes back and never leaves Completed; generations never go down; a
    /// restore that ends Completed reached Completed exactly once. Returns the versions read.
    /// </summary>
    public static int AssertStatusHistoryMovesForward(GitRemote remote, string path, bool endsCompleted, NemesisSchedule schedule)
    {
        var commits = remote.RemoteGit("log", "--reverse", "--first-parent", "--format=%H", remote.Branch, "--", path)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var history = new StringBuilder();
        var (lastGeneration, lastRank, completions) = (0L, -1, 0);
        foreach (var sha in commits)
        {
            var show = ProcessRunner.Run("git", ["show", $"{sha}:{path}"], remote.BarePath);
            if (show.ExitCode != 0)
            {
                // Removed by this commit (a cancelled restore's status): a later version would be a new resource.
                history.AppendLine(CultureInfo.InvariantCulture, $"{sha[..10]} removed");
                (lastGeneration, lastRank) = (0, -1);
                continue;
            }
            var phase = PhaseOf(show.StdOut) ?? "?";
            var generation = GenerationLine().Match(show.StdOut) is { Success: true } g ? long.Parse(g.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            // Failed ends a generation as Completed does (only a restore the mock's re-append refused gets there).
            var rank = phase == "Failed" ? 2 : Array.IndexOf(Order, phase);
            history.AppendLine(CultureInfo.InvariantCulture, $"{sha[..10]} {phase} generation {generation}");
            Assert.True(rank >= 0, $"{path}: unexpected phase {phase}:\n{show.StdOut}\n{history}\n{schedule}");
            Assert.True(generation >= lastGeneration, $"{path}: the generation went down:\n{history}\n{schedule}");
            if (generation == lastGeneration)
                Assert.True(rank >= lastRank, $"{path}: the status went backwards:\n{history}\n{schedule}");
            if (phase == "Completed" && (lastRank < 2 || generation != lastGeneration)) completions++;
            (lastGeneration, lastRank) = (generation, rank);
        }
        if (endsCompleted)
        {
            Assert.True(completions == 1, $"{path}: reached Completed {completions} times:\n{history}\n{schedule}");
            Assert.True(lastRank == 2, $"{path}: does not end Completed:\n{history}\n{schedule}");
        }
        return commits.Length;
    }

    /// <summary>
    /// The remote's reflog of the branch: each update starts where the previous ended and is a fast-forward,
    /// except the human's force pushes in <paramref name="forced"/>; every commit the branch pointed at is in the
    /// final history except those the human dropped. Returns the number of updates.
    /// </summary>
    public static int AssertOnlyTheHumanForcePushed(GitRemote remote, IReadOnlyCollection<(string From, string To)> forced, NemesisSchedule schedule)
    {
        var reflog = File.ReadAllLines(Path.Combine(remote.BarePath, "logs", "refs", "heads", remote.Branch));
        var tip = remote.RemoteGit("rev-parse", remote.Branch).Trim();
        var dropped = forced.Select(f => f.From).ToHashSet(StringComparer.Ordinal);
        var previous = "";
        foreach (var entry in reflog)
        {
            var parts = entry.Split(' ');
            var (from, to) = (parts[0], parts[1]);
            if (previous.Length > 0) Assert.True(previous == from, $"the reflog skips from {previous} to {entry}\n{schedule}");
            var human = forced.Contains((from, to));
            if (from.Trim('0').Length > 0 && !human)
                Assert.True(IsAncestor(remote, from, to), $"a push that was not the human's force push is not a fast-forward: {entry}\n{schedule}");
            if (!dropped.Contains(to))
                Assert.True(IsAncestor(remote, to, tip), $"commit {to} was lost from the branch ({entry})\n{schedule}");
            previous = to;
        }
        Assert.Equal(tip, previous);
        return reflog.Length;
    }

    /// <summary>The phase a status file's text states, or null.</summary>
    public static string? PhaseOf(string statusYaml) => PhaseLine().Match(statusYaml) is { Success: true } m ? m.Groups[1].Value : null;

    private static bool IsAncestor(GitRemote remote, string ancestor, string of) =>
        ProcessRunner.Run("git", ["merge-base", "--is-ancestor", ancestor, of], remote.BarePath).ExitCode == 0;

    [GeneratedRegex(@"^  phase: (\w+)", RegexOptions.Multiline)]
    private static partial Regex PhaseLine();

    [GeneratedRegex(@"^  observedGeneration: (\d+)", RegexOptions.Multiline)]
    private static partial Regex GenerationLine();
}
