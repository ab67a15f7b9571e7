using System.CommandLine;
using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Reconciler;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// <c>kafka-restored plan</c>: what the next cycle would do, without side effects — it fetches into
/// a temporary clone, reads the state store read-only, and prints one line per action with the why.
/// With <c>--ref REV</c> it plans a proposed revision from a local clone alone (resources at REV,
/// records rebuilt from the status files committed on the tracked branch): a pull request's plan.
/// </summary>
internal static class PlanCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var all = new Option<bool>("--all") { Description = "Also list resources that need nothing" };
        var proposed = new Option<string?>("--ref")
        {
            Description = "Plan this revision (branch, HEAD, commit) of the local clone (--repo DIR, default: the current folder) against the status files " +
                "committed on the tracked branch, without the daemon's state: the plan of a pull request",
        };
        var baseRef = new Option<string?>("--base")
        {
            Description = "With --ref: the tracked branch as this clone names it (default: origin/<Branch> of the settings, else <Branch>)",
        };
        var output = OutputFormatOption.Create(markdown: true);
        var command = new Command("plan", "Show what the next reconcile would do (no side effects); with --ref, what a proposed revision would do") { all, proposed, baseRef, output };
        command.WithSettings();
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var revision = parse.GetValue(proposed);
            if (CliSupport.Settings(parse, "plan", error, needRepository: revision is null) is not { } options) return CliSupport.ConfigError;
            var report = revision is null
                ? await CurrentAsync(parse, options, error, ct)
                : Proposed(parse.GetValue(Configuration.ReconcilerSettings.Repo) ?? ".", revision, parse.GetValue(baseRef), options, error);
            if (report is null) return 1;
            report.Write(parse.InvocationConfiguration.Output, OutputFormatOption.Get(parse, output), parse.GetValue(all));
            return 0;
        });
        return command;
    }

    /// <summary>The next cycle of the daemon: the tracked branch fetched into a throwaway clone, against the state store.</summary>
    private static async Task<PlanReport?> CurrentAsync(ParseResult parse, ReconcilerOptions options, TextWriter error, CancellationToken ct)
    {
        IReadOnlyList<ResourceRecord> state = [];
        if (File.Exists(Path.Combine(options.StateDirectory, StateStore.FileName)))
        {
            try
            {
                using var store = StateStore.Open(options.StateDirectory, readOnly: true);
                state = store.Resources();
            }
            catch (StateStoreException e)
            {
                CliSupport.StoreError("plan", e, error);
                return null;
            }
        }
        // A throwaway clone: plan must not touch the daemon's clone or state.
        var scratch = Path.Combine(Path.GetTempPath(), "kafka-restored-plan-" + Guid.NewGuid().ToString("N"));
        try
        {
            var planOptions = ReconcilerSettings.Load(parse);
            planOptions.StateDirectory = scratch;
            using var git = new GitSource(planOptions);
            string commit;
            try
            {
                commit = await git.FetchAsync(ct);
            }
            catch (GitSourceException e)
            {
                error.WriteLine($"kafka-restored plan: {e.Message}");
                return null;
            }
            var desired = new DesiredStateLoader(git, options.HostPolicy).Load(commit);
            var plan = Planner.Plan(desired, state, new PlanContext(DateTimeOffset.UtcNow, options.MaxConcurrentRestores, new HashSet<ResourceId>(),
                SyncWindows.From(options.SyncWindows)));
            return Report($"Plan at {options.Branch} {commit[..12]} ({Plural.Of(desired.Resources.Count, "resource")}, {state.Count(s => !s.Tombstone)} in the state store):",
                options.Branch, commit, null, null, desired, plan, options, []);
        }
        finally
        {
            TryDelete(scratch);
        }
    }

    /// <summary>A proposed revision of the clone at <paramref name="repository"/>, against the status files of the tracked branch.</summary>
    private static PlanReport? Proposed(string repository, string revision, string? baseRef, ReconcilerOptions options, TextWriter error)
    {
        if (!Directory.Exists(repository))
        {
            error.WriteLine($"kafka-restored plan: --ref plans from a local clone, and '{UrlRedaction.Redact(repository)}' is not a folder; run it in a clone of the config repository or give --repo DIR.");
            return null;
        }
        try
        {
            using var git = GitSource.OpenLocal(repository, options);
            var commit = git.Resolve(revision);
            var (baseName, baseCommit) = Tracked(git, baseRef ?? options.Branch, asGiven: baseRef is not null);
            var (statusName, statusCommit) = options.UsesStatusBranch ? Tracked(git, options.PublishBranch, asGiven: false) : (baseName, baseCommit);
            foreach (var (name, sha) in new[] { (revision, commit), (baseName, baseCommit), (statusName, statusCommit) })
            {
                if (sha is not null) continue;
                error.WriteLine($"kafka-restored plan: '{name}' names no commit in {git.RepositoryPath}; fetch it (git fetch origin, or in CI a checkout with fetch-depth: 0) or name another with --ref/--base.");
                return null;
            }
            var plan = ProposedPlan.Compute(git, new DesiredStateLoader(git, options.HostPolicy), options, baseCommit!, statusCommit!, commit!, DateTimeOffset.UtcNow);
            return Report($"Plan of {revision} {commit![..12]} against {baseName} {baseCommit![..12]} ({Plural.Of(plan.Desired.Resources.Count, "resource")}, " +
                $"{Plural.Of(plan.Records.Count, "status file")} read):", revision, commit, baseName, baseCommit, plan.Desired, plan.Actions, options, plan.Problems);
        }
        catch (GitSourceException e)
        {
            error.WriteLine($"kafka-restored plan: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// The tracked branch as the clone has it: as given when <paramref name="asGiven"/>, else origin's
    /// (as fresh as the last fetch, where a local branch may lag behind), else the local branch.
    /// </summary>
    private static (string Name, string? Commit) Tracked(GitSource git, string branch, bool asGiven)
    {
        if (asGiven) return (branch, git.Resolve(branch));
        var remote = "origin/" + branch;
        return git.Resolve(remote) is { } commit ? (remote, commit) : (branch, git.Resolve(branch));
    }

    private static PlanReport Report(string header, string name, string commit, string? baseName, string? baseCommit, DesiredState desired,
        IReadOnlyList<PlanAction> plan, ReconcilerOptions options, IReadOnlyList<string> problems)
    {
        var notes = problems.ToList();
        if (options.Policy is null) notes.Add("no Policy in the settings: nothing is allowed, every resource is denied (docs/SECURITY.md)");
        var denials = desired.Resources.Values.Where(d => d.IsDenied).OrderBy(d => d.Id.ToString(), StringComparer.Ordinal).SelectMany(d => d.Denials).ToList();
        return new PlanReport(header, name, commit, baseName, baseCommit, desired.Resources.Count, plan, desired.FileErrors, denials, notes);
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (!Directory.Exists(dir)) return;
            foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)) File.SetAttributes(f, FileAttributes.Normal);
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
