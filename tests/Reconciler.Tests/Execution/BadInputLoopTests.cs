using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>Input the validator reports but the loop must still carry to Git: kinds it does not serve, symlinks, binary files.</summary>
public sealed class BadInputLoopTests : IDisposable
{
    private readonly GitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    [Fact]
    public async Task A_kind_this_product_does_not_serve_is_logged_with_no_record_or_status_file_and_the_loop_carries_on()
    {
        _remote.HumanCommit("a kind we do not serve", new Dictionary<string, string?>
        {
            ["restores/typo.yaml"] = "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestores\nmetadata: {name: typo, namespace: kafka-backup}\nspec: {}\n",
        });
        var options = new ReconcilerOptions { RepositoryUrl = _remote.BarePath, Branch = _remote.Branch, StateDirectory = _remote.Scratch("state"), Policy = TestPolicy.AllowAll() };
        using var store = StateStore.Open(options.StateDirectory);
        using var git = new GitSource(options);
        var log = new ListLogger();
        await using var loop = ReconcileLoop.Create(options, store, git, [], logger: log);

        var first = await loop.RunCycleAsync(CancellationToken.None);
        var second = await loop.RunCycleAsync(CancellationToken.None);

        Assert.True(first.Synced, first.Error);
        Assert.True(second.Synced, second.Error);
        // Only the exact known kinds have an identity (issue 19): the typo is reported where the operator looks, never recorded.
        Assert.Empty(store.Resources());
        Assert.Empty(_remote.RemoteGit("ls-tree", "-r", "--name-only", "main", "status/").Trim());
        Assert.Contains(log.Lines, l => l.Contains("restores/typo.yaml:2:7: error: UnknownKind", StringComparison.Ordinal)
                                        && l.Contains("did you mean \"KafkaRestore\"?", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_apiVersion_near_miss_is_logged_naming_the_file_while_a_foreign_file_is_not()
    {
        _remote.HumanCommit("apiVersion typos beside a Deployment", new Dictionary<string, string?>
        {
            ["restores/osso.yaml"] = "apiVersion: kafka.osso.sh/v1alpha1\nkind: KafkaRestore\nmetadata: {name: osso}\nspec: {}\n",
            ["restores/alpah.yaml"] = "apiVersion: kafka.oso.sh/v1alpah1\nkind: KafkaRestore\nmetadata: {name: alpah}\nspec: {}\n",
            ["restores/none.yaml"] = "kind: KafkaRestore\nmetadata: {name: none}\nspec: {}\n",
            ["deploy/web.yaml"] = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n",
        });
        var options = new ReconcilerOptions { RepositoryUrl = _remote.BarePath, Branch = _remote.Branch, StateDirectory = _remote.Scratch("state"), Policy = TestPolicy.AllowAll() };
        using var store = StateStore.Open(options.StateDirectory);
        using var git = new GitSource(options);
        var log = new ListLogger();
        await using var loop = ReconcileLoop.Create(options, store, git, [], logger: log);

        var cycle = await loop.RunCycleAsync(CancellationToken.None);

        Assert.True(cycle.Synced, cycle.Error);
        Assert.Empty(store.Resources());
        Assert.Empty(_remote.RemoteGit("ls-tree", "-r", "--name-only", "main", "status/").Trim());
        var problems = log.Lines.Where(l => l.Contains("Resource file problem", StringComparison.Ordinal)).ToList();
        Assert.Contains(problems, l => l.Contains("restores/osso.yaml:1:13: error: UnknownApiVersion", StringComparison.Ordinal)
                                       && l.Contains("did you mean \"kafka.oso.sh/v1alpha1\"?", StringComparison.Ordinal));
        Assert.Contains(problems, l => l.Contains("restores/alpah.yaml:1:13: error: UnknownApiVersion", StringComparison.Ordinal));
        Assert.Contains(problems, l => l.Contains("restores/none.yaml:1:1: error: RequiredField", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, l => l.Contains("deploy/web.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Symlinked_and_binary_yaml_files_are_reported_by_path_and_nothing_behind_a_link_is_loaded()
    {
        var outside = _remote.Scratch("outside");
        File.WriteAllText(Path.Combine(outside, "r.yaml"),
            "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata: {name: escaped}\nspec: {backupId: b, targetCluster: {bootstrapServers: ['k:9092']}, storage: {storageType: filesystem, filesystem: {path: /b}}}\n");
        Directory.CreateDirectory(Path.Combine(_remote.HumanPath, "restores"));
        File.CreateSymbolicLink(Path.Combine(_remote.HumanPath, "restores", "link.yaml"), "../../outside/r.yaml");
        File.WriteAllBytes(Path.Combine(_remote.HumanPath, "restores", "blob.yaml"), [0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x49, 0x48]);
        _remote.HumanCommit("link and binary", new Dictionary<string, string?>());
        var options = new ReconcilerOptions { RepositoryUrl = _remote.BarePath, Branch = _remote.Branch, StateDirectory = _remote.Scratch("state"), Policy = TestPolicy.AllowAll() };
        using var git = new GitSource(options);
        var commit = await git.FetchAsync(CancellationToken.None);

        var desired = new KafkaRestored.Reconciler.Planning.DesiredStateLoader(git).Load(commit);

        Assert.Empty(desired.Resources);
        Assert.Equal(2, desired.FileErrors.Count);
        Assert.Contains(desired.FileErrors, e => e.StartsWith("restores/link.yaml:1:1: error: SymlinkNotFollowed: the file is a symbolic link to '../../outside/r.yaml'", StringComparison.Ordinal));
        Assert.Contains(desired.FileErrors, e => e.StartsWith("restores/blob.yaml:1:1: error: BinaryFile:", StringComparison.Ordinal));
    }
}
