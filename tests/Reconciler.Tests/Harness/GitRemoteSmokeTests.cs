using KafkaRestored.TestSupport;
using LibGit2Sharp;

namespace KafkaRestored.Reconciler.Tests.Harness;

/// <summary>Proves the bare-remote harness: LibGit2Sharp clones, commits, pushes and fetches against it.</summary>
public sealed class GitRemoteSmokeTests
{
    [Fact]
    public void Clone_commit_push_and_fetch_through_the_bare_remote()
    {
        using var remote = new GitRemote();
        var clonePath = remote.Scratch("daemon-clone");
        Repository.Clone(remote.BarePath, clonePath, new CloneOptions { BranchName = remote.Branch });
        using var repo = new Repository(clonePath);
        File.WriteAllText(Path.Combine(clonePath, "status.yaml"), "phase: Completed\n");
        Commands.Stage(repo, "status.yaml");
        var bot = new Signature("kafka-restored", "bot@example.com", DateTimeOffset.UtcNow);
        repo.Commit("bot: status", bot, bot);
        repo.Network.Push(repo.Network.Remotes["origin"], $"refs/heads/{remote.Branch}:refs/heads/{remote.Branch}");

        var humanHead = remote.HumanCommit("human: add restore", new Dictionary<string, string?> { ["restores/a.yaml"] = "kind: KafkaRestore\n" });

        Commands.Fetch(repo, "origin", [], new FetchOptions(), null);
        var fetched = repo.Branches[$"origin/{remote.Branch}"].Tip;
        Assert.Equal(humanHead, fetched.Sha);

        var log = remote.RemoteGit("log", "--format=%an|%s", remote.Branch);
        Assert.Equal(["Pat Human|human: add restore", "kafka-restored|bot: status", "Pat Human|initial commit"],
            log.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
