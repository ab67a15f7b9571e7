using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Reliability.Nemesis;

/// <summary>
/// The people around the daemon during the nemesis: commit the workload's restores a few seconds
/// apart, delete some while they run (and note where their targets ended once the cancellation is
/// committed), and now and then force-push the branch back over the daemon's newest status commit.
/// Their pushes wait while a Git fault holds the remote (<c>gitGate</c>).
/// </summary>
internal sealed partial class NemesisHuman(GitRemote remote, MockKafkaBroker broker, SemaphoreSlim gitGate, NemesisSchedule schedule, Random random,
    Func<NemesisRestore, string> yaml)
{
    private const int Partitions = 6;

    /// <summary>The human's force pushes: (tip dropped, new tip).</summary>
    public List<(string From, string To)> ForcePushes { get; } = [];

    /// <summary>Commits, deletes and force-pushes until <paramref name="ct"/> is cancelled, then commits whatever is left.</summary>
    public async Task WorkAsync(List<NemesisRestore> restores, Action tick, CancellationToken ct)
    {
        var queue = new Queue<NemesisRestore>(restores);
        await CommitAsync(queue.Dequeue());
        await CommitAsync(queue.Dequeue());
        var cancelling = CancelPartWayAsync(restores, ct);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(random.Next(1500, 5000), ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            tick();
            var step = random.Next(10);
            if (step < 6 && queue.Count > 0) await CommitAsync(queue.Dequeue());
            else if (step < 8) await ForcePushAsync();
            NoteCancellations(restores);
        }
        await cancelling;
        while (queue.Count > 0) await CommitAsync(queue.Dequeue());
    }

    /// <summary>
    /// Deletes each restore to cancel once part of it has landed and its status is on the branch (so that the commit
    /// removing it can be seen), looking every 200 ms: a restore lasts seconds.
    /// </summary>
    private async Task CancelPartWayAsync(List<NemesisRestore> restores, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            foreach (var r in restores.Where(r => r.ToCancel && r.CommittedAt is not null && r.DeleteCommit is null).ToList())
            {
                if (Status(r) is { } status && PartWay(r, status)) await DeleteAsync(r);
            }
            try
            {
                await Task.Delay(200, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The reasons a restore fails with when the mock re-appended one of its batches: the target holds more records than the
    /// backup selects (TargetNotEmpty), verification finds them (VerificationFailed), or a resume finds the target's last
    /// record is not the one it wrote last, because the repeats shifted it (TargetModified; a 30-minute run, seed 1293783888).
    /// </summary>
    private static readonly string[] RefusalsOfAReappend = ["TargetNotEmpty", "VerificationFailed", "TargetModified"];

    /// <summary>Waits until every restore ended (Completed, or cancelled and its status removed); fails naming those that did not.</summary>
    public async Task FinishAsync(List<NemesisRestore> restores, Action tick, Func<DateTime, bool> outageSince, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            tick();
            NoteCancellations(restores);
            var open = restores.Where(r => r.DeleteCommit is null ? RemotePhase(r) != "Completed" && r.RefusedAfterReappend is null : r.EndsAtCancellation is null).ToList();
            if (open.Count == 0) return;
            foreach (var failed in open.Where(r => r.DeleteCommit is null && RemotePhase(r) == "Failed"))
            {
                var text = Status(failed)!;
                var refused = RefusalsOfAReappend.Any(reason => text.Contains("reason: " + reason, StringComparison.Ordinal))
                    && outageSince(failed.CommittedAt!.Value);
                if (!refused) Assert.Fail($"{failed}: Failed\n{text}\n{schedule}");
                failed.RefusedAfterReappend = text;
                schedule.Note($"{failed.Name}: Failed refusing a target with records it did not write, after a broker outage (the mock's re-append; checked below)");
            }
            Assert.True(DateTime.UtcNow < deadline,
                $"not ended {timeout.TotalMinutes} minutes after the nemesis stopped: {string.Join("; ", open.Select(r => $"{r}: {RemotePhase(r) ?? "no status"}"))}\n{schedule}");
            await Task.Delay(500);
        }
    }

    /// <summary>The phase of the restore's status file at the remote branch's tip, or null.</summary>
    public string? RemotePhase(NemesisRestore r) => Status(r) is { } text ? NemesisChecks.PhaseOf(text) : null;

    private string? Status(NemesisRestore r)
    {
        var show = ProcessRunner.Run("git", ["show", $"{remote.Branch}:{r.StatusPath}"], remote.BarePath);
        return show.ExitCode == 0 ? show.StdOut : null;
    }

    /// <summary>Whether the restore's status on the branch says it is running with part of its records written (a cheap look: no broker round trip).</summary>
    private static bool PartWay(NemesisRestore r, string status) =>
        NemesisChecks.PhaseOf(status) == "Running" && RecordsDone().Match(status) is { Success: true } m
        && long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is > 0 and var done && done < r.Records.Values.Sum(v => v.Count);

    private async Task CommitAsync(NemesisRestore r)
    {
        await ChangeAsync($"restore {r.Name}", r.File, yaml(r));
        r.CommittedAt = DateTime.UtcNow;
        schedule.Note($"human commits {r}");
    }

    private async Task DeleteAsync(NemesisRestore r)
    {
        r.DeleteCommit = await ChangeAsync($"cancel {r.Name}", r.File, null);
        schedule.Note($"human deletes {r.Name} while it runs");
    }

    /// <summary>Once the daemon committed a deleted restore's cancellation (its status file removed after the deletion), where its target ends.</summary>
    private void NoteCancellations(List<NemesisRestore> restores)
    {
        foreach (var r in restores.Where(r => r.DeleteCommit is not null && r.EndsAtCancellation is null))
        {
            var after = remote.RemoteGit("log", "--format=%H", $"{r.DeleteCommit}..{remote.Branch}", "--", r.StatusPath).Trim();
            if (after.Length == 0 || Status(r) is not null) continue;
            try
            {
                r.EndsAtCancellation = RestoreKit.EndOffsets(broker.BootstrapServers, r.Target, Partitions);
            }
            catch (Confluent.Kafka.KafkaException)
            {
                continue; // the brokers are down (nothing can land meanwhile): read the ends at the next look
            }
            schedule.Note($"{r.Name}: cancellation committed, target ends at [{string.Join(',', r.EndsAtCancellation)}]");
        }
    }

    /// <summary>Drops the branch's newest commit when it is the daemon's (never a human's), with a lease so a push in between wins.</summary>
    private async Task ForcePushAsync()
    {
        await gitGate.WaitAsync();
        try
        {
            Git("fetch", "-q", "origin");
            var tip = Git("rev-parse", $"origin/{remote.Branch}").Trim();
            if (Git("log", "-1", "--format=%an", tip).Trim() == "Pat Human") return;
            var parent = Git("rev-parse", tip + "~1").Trim();
            var push = ProcessRunner.Run("git", ["push", "-q", $"--force-with-lease={remote.Branch}:{tip}", "origin", $"{parent}:refs/heads/{remote.Branch}"], remote.HumanPath);
            if (push.ExitCode != 0) return;
            ForcePushes.Add((tip, parent));
            schedule.Note($"human force-pushes {remote.Branch} back from the daemon's {tip[..10]} to {parent[..10]}");
        }
        finally
        {
            gitGate.Release();
        }
    }

    /// <summary>Writes (or deletes, for null) one file on top of the remote branch and pushes, again on top if the daemon pushed meanwhile.</summary>
    private async Task<string> ChangeAsync(string message, string file, string? content)
    {
        await gitGate.WaitAsync();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                Git("fetch", "-q", "origin");
                Git("reset", "-q", "--hard", $"origin/{remote.Branch}");
                var path = Path.Combine(remote.HumanPath, file);
                if (content is null) File.Delete(path);
                else
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    await File.WriteAllTextAsync(path, content);
                }
                Git("add", "-A");
                Git("commit", "-q", "-m", message);
                if (ProcessRunner.Run("git", ["push", "-q", "origin", remote.Branch], remote.HumanPath).ExitCode == 0) return Git("rev-parse", "HEAD").Trim();
                Assert.True(attempt < 20, $"the human could not push '{message}' in 20 attempts\n{schedule}");
            }
        }
        finally
        {
            gitGate.Release();
        }
    }

    private string Git(params string[] args) => GitRemote.Git(remote.HumanPath, args);

    [System.Text.RegularExpressions.GeneratedRegex(@"^  progress:\n    recordsDone: (\d+)", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex RecordsDone();
}
