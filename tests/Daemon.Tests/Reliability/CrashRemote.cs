using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Daemon.Tests.Reliability;

/// <summary>
/// The crash test's view of its bare config remote: the restore's status file on the branch, the
/// branch tip, and the checks that its status history only moved forward and that no push was
/// forced or lost a commit.
/// </summary>
internal sealed partial class CrashRemote(GitRemote remote, string statusPath, ITestOutputHelper log)
{
    private readonly GitRemote _remote = remote;
    private string StatusPath { get; } = statusPath;

    /// <summary>Phase of the status file on the remote branch, or null.</summary>
    public string? RemotePhase()
    {
        var show = ProcessRunner.Run("git", ["show", $"{_remote.Branch}:{StatusPath}"], _remote.BarePath);
        return show.ExitCode == 0 ? Field(show.StdOut, PhaseLine()) : null;
    }

    /// <summary>The remote branch's commit, read from the ref file (cheap enough to poll every millisecond).</summary>
    public string RemoteRef()
    {
        try
        {
            return File.ReadAllText(Path.Combine(_remote.BarePath, "refs", "heads", _remote.Branch)).Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>
    /// Every version of the status file on the remote, oldest first: the phase only moves forward
    /// (Pending, Running, Completed), one generation, attempts never go down, progress never goes
    /// back, exactly one commit reaches Completed, with every record.
    /// </summary>
    public void AssertStatusHistoryIsCoherent(long total)
    {
        var commits = _remote.RemoteGit("log", "--reverse", "--first-parent", "--format=%H %s", _remote.Branch, "--", StatusPath)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(commits.Length >= 2, StatusLog());
        string[] order = ["Pending", "Running", "Completed"];
        var lastRank = -1;
        var lastAttempts = 0L;
        var lastDone = -1L;
        var completions = 0;
        var history = new StringBuilder();
        foreach (var line in commits)
        {
            var sha = line[..40];
            var text = _remote.RemoteGit("show", $"{sha}:{StatusPath}");
            var phase = Field(text, PhaseLine());
            var rank = Array.IndexOf(order, phase);
            var attempts = long.Parse(Field(text, AttemptsLine()) ?? "0", CultureInfo.InvariantCulture);
            var done = Field(text, RecordsDoneLine()) is { } d ? long.Parse(d, CultureInfo.InvariantCulture) : -1;
            history.AppendLine(CultureInfo.InvariantCulture, $"{line} [phase {phase}, attempts {attempts}, recordsDone {done}]");
            Assert.True(rank >= 0, $"unexpected phase {phase} in {sha}:\n{text}");
            Assert.True(rank >= lastRank, $"status went backwards (to {phase}):\n{history}");
            Assert.True(attempts >= lastAttempts, $"attempts went down:\n{history}");
            Assert.Equal("1", Field(text, GenerationLine()));
            if (phase == "Running" && done >= 0)
            {
                Assert.True(done >= lastDone, $"progress went backwards:\n{history}");
                lastDone = done;
            }
            if (phase == "Completed" && lastRank < 2)
            {
                completions++;
                Assert.Equal(total.ToString(CultureInfo.InvariantCulture), Field(text, RestoredRecordsLine()));
            }
            lastRank = rank;
            lastAttempts = attempts;
        }
        log.WriteLine($"status history ({commits.Length} commits):\n{history}");
        Assert.Equal(1, completions);
        Assert.Equal(2, lastRank);
        // A kill is no failed attempt: every start resumed attempt 1, backoffLimit untouched.
        Assert.Equal(1, lastAttempts);
    }

    /// <summary>
    /// The bare remote's reflog of the branch: each update starts where the previous ended and is a
    /// fast-forward (no force push), and every commit the branch ever pointed at, the human's among
    /// them, is in the final history (no lost commit).
    /// </summary>
    public void AssertNoForcePushAndNoLostCommit(string humanCommit)
    {
        var reflog = File.ReadAllLines(Path.Combine(_remote.BarePath, "logs", "refs", "heads", _remote.Branch));
        var tip = RemoteRef();
        var previous = "";
        foreach (var entry in reflog)
        {
            var parts = entry.Split(' ');
            var (from, to) = (parts[0], parts[1]);
            if (previous.Length > 0) Assert.Equal(previous, from);
            if (from.Trim('0').Length > 0)
                Assert.True(ProcessRunner.Run("git", ["merge-base", "--is-ancestor", from, to], _remote.BarePath).ExitCode == 0, $"non-fast-forward update {entry}");
            Assert.True(ProcessRunner.Run("git", ["merge-base", "--is-ancestor", to, tip], _remote.BarePath).ExitCode == 0, $"commit {to} lost from the branch");
            previous = to;
        }
        Assert.Equal(tip, previous);
        Assert.True(ProcessRunner.Run("git", ["merge-base", "--is-ancestor", humanCommit, tip], _remote.BarePath).ExitCode == 0, "the human's commit was lost");
        log.WriteLine($"remote reflog: {reflog.Length} updates, all fast-forward");
    }

    public string StatusLog() => ProcessRunner.Run("git", ["log", "--format=%h %s", _remote.Branch], _remote.BarePath).StdOut;

    private static string? Field(string text, Regex pattern) => pattern.Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"^  phase: (\w+)", RegexOptions.Multiline)]
    private static partial Regex PhaseLine();

    [GeneratedRegex(@"^  attempts: (\d+)", RegexOptions.Multiline)]
    private static partial Regex AttemptsLine();

    [GeneratedRegex(@"^  observedGeneration: (\d+)", RegexOptions.Multiline)]
    private static partial Regex GenerationLine();

    [GeneratedRegex(@"^  restoredRecords: (\d+)", RegexOptions.Multiline)]
    private static partial Regex RestoredRecordsLine();

    [GeneratedRegex(@"^    recordsDone: (\d+)", RegexOptions.Multiline)]
    private static partial Regex RecordsDoneLine();
}
