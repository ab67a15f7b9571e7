using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Validation;

namespace KafkaRestored.Reconciler;

/// <summary>
/// Settings of the reconciler, bound from configuration (keys at the root of the settings file, environment variables
/// prefixed KAFKA_RESTORED_, command-line flags). Defaults are the documented ones.
/// </summary>
public sealed class ReconcilerOptions
{
    /// <summary>Config repository: a local path, file://, https:// or ssh URL.</summary>
    public string RepositoryUrl { get; set; } = "";

    /// <summary>Branch holding the resources.</summary>
    public string Branch { get; set; } = "main";

    /// <summary>Repository-relative folders scanned for resources; empty means the whole repository.</summary>
    public IList<string> IncludePaths { get; init; } = [];

    /// <summary>Folder the daemon owns for status files; never scanned for resources.</summary>
    public string StatusDirectory { get; set; } = "status";

    /// <summary>Folder the daemon owns for offset snapshots; never scanned for resources.</summary>
    public string SnapshotDirectory { get; set; } = "snapshots";

    /// <summary>Time between polls (a jitter of up to 10% is added).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where the state store and the clone live.</summary>
    public string StateDirectory { get; set; } = "/var/lib/kafka-restored";

    /// <summary>Kubernetes-style secrets: file &lt;dir&gt;/&lt;name&gt;/&lt;key&gt;.</summary>
    public string? SecretsDirectory { get; set; }

    /// <summary>Resources executing at once.</summary>
    public int MaxConcurrentRestores { get; set; } = 2;

    /// <summary>Author and committer name of status commits.</summary>
    public string BotName { get; set; } = "kafka-restored";

    /// <summary>Author and committer email of status commits.</summary>
    public string BotEmail { get; set; } = "kafka-restored@localhost";

    /// <summary>While Running, progress is committed at most this often.</summary>
    public TimeSpan ProgressCommitInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>When set, status and snapshot files are pushed to this branch instead of <see cref="Branch"/>.</summary>
    public string? StatusBranch { get; set; }

    /// <summary>Marker placed in status commit messages so CI skips them; empty for none.</summary>
    public string SkipCiMarker { get; set; } = "[skip ci]";

    /// <summary>HTTPS user name sent with the token.</summary>
    public string GitUsername { get; set; } = "x-access-token";

    /// <summary>File holding an HTTPS token (a secret file, never logged).</summary>
    public string? GitTokenFile { get; set; }

    /// <summary>SSH private key file, used through core.sshCommand.</summary>
    public string? GitSshKeyFile { get; set; }

    /// <summary>known_hosts file for SSH remotes: only the host keys listed there are accepted (ssh StrictHostKeyChecking=yes); unset, ssh's own ~/.ssh/known_hosts.</summary>
    public string? GitSshKnownHostsFile { get; set; }

    /// <summary>A fetch or push taking longer is abandoned and the cycle reported failed.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>First delay before re-pushing a rejected status commit; doubles per try, with jitter.</summary>
    public TimeSpan PushRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Push tries per cycle before giving up until the next cycle.</summary>
    public int PushAttempts { get; set; } = 5;

    /// <summary>The branch status commits go to: <see cref="StatusBranch"/> when set, else <see cref="Branch"/>.</summary>
    public string PublishBranch => string.IsNullOrWhiteSpace(StatusBranch) ? Branch : StatusBranch;

    /// <summary>True when status goes to a branch of its own.</summary>
    public bool UsesStatusBranch => PublishBranch != Branch;

    /// <summary>Delay before the second attempt of a failed resource; doubles per attempt up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Cap of the retry delay.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(6);

    /// <summary>
    /// The host policy (settings key <c>Policy</c>, keyed by namespace, <c>*</c> for all): which
    /// clusters, secrets, S3 locations, folders and internal topics resources may reach. Null (no
    /// <c>Policy</c> in the settings) allows nothing. docs/SECURITY.md is the reference.
    /// </summary>
    public Dictionary<string, PolicyEntry>? Policy { get; set; }

    /// <summary>
    /// Sync windows (settings key <c>SyncWindows</c>, a list): cron-defined times that allow or deny
    /// starting work per namespace, as in Argo CD; a running attempt is never stopped by one.
    /// </summary>
    public IList<SyncWindow> SyncWindows { get; init; } = [];

    /// <summary>The policy as evaluated, or null when the settings have none.</summary>
    public HostPolicy? HostPolicy => Restore.Resources.Policy.HostPolicy.From(Policy);

    /// <summary>Folder of the daemon's clone: &lt;stateDir&gt;/repo.</summary>
    public string RepositoryPath => Path.Combine(StateDirectory, "repo");

    /// <summary>Every problem with these settings, each naming the setting and what to do; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(RepositoryUrl)) errors.Add("RepositoryUrl (--repo) is required: the config repository URL or path.");
        if (string.IsNullOrWhiteSpace(Branch)) errors.Add("Branch (--branch) must name a branch.");
        if (string.IsNullOrWhiteSpace(StateDirectory)) errors.Add("StateDirectory (--state-dir) is required.");
        if (PollInterval <= TimeSpan.Zero) errors.Add("PollInterval must be positive (e.g. 00:00:30).");
        if (MaxConcurrentRestores < 1) errors.Add("MaxConcurrentRestores must be at least 1.");
        if (ProgressCommitInterval < TimeSpan.Zero) errors.Add("ProgressCommitInterval must not be negative.");
        if (FetchTimeout <= TimeSpan.Zero) errors.Add("FetchTimeout must be positive.");
        if (PushAttempts < 1) errors.Add("PushAttempts must be at least 1.");
        if (string.IsNullOrWhiteSpace(BotName) || string.IsNullOrWhiteSpace(BotEmail)) errors.Add("BotName and BotEmail must be set (the status commits' identity).");
        foreach (var (name, dir) in new[] { ("StatusDirectory", StatusDirectory), ("SnapshotDirectory", SnapshotDirectory) })
        {
            if (string.IsNullOrWhiteSpace(dir) || Path.IsPathRooted(dir) || dir.Split('/').Contains(".."))
                errors.Add($"{name} must be a relative folder inside the repository, got '{dir}'.");
        }
        if (GitTokenFile is not null && GitSshKeyFile is not null) errors.Add("Set only one of GitTokenFile and GitSshKeyFile.");
        if (GitSshKnownHostsFile is { } known && !File.Exists(known))
            errors.Add($"GitSshKnownHostsFile {known} does not exist; write the Git host's key to it (ssh-keyscan -p PORT HOST > FILE, then check it) or unset it.");
        errors.AddRange(ValidatePolicy(Policy));
        for (var i = 0; i < SyncWindows.Count; i++) errors.AddRange(SyncWindows[i].Validate($"SyncWindows:{i}"));
        return errors;
    }

    /// <summary>Every problem of a <c>Policy</c> section, each naming <c>Policy:&lt;namespace&gt;:&lt;List&gt;</c>.</summary>
    public static IReadOnlyList<string> ValidatePolicy(IDictionary<string, PolicyEntry>? policy)
    {
        var errors = new List<string>();
        foreach (var (ns, entry) in policy ?? new Dictionary<string, PolicyEntry>())
        {
            if (ns != Restore.Resources.Policy.HostPolicy.AnyNamespace && !Names.IsDns1123Subdomain(ns))
            {
                errors.Add($"Policy:{ns} is not a namespace: keys of Policy are namespaces (lower case DNS-1123 names such as team-a) or * for every namespace.");
                continue;
            }
            if (entry is null) continue;
            foreach (var (list, patterns) in new[] { ("Secrets", entry.Secrets), ("Clusters", entry.Clusters), ("S3", entry.S3), ("Azure", entry.Azure), ("Gcs", entry.Gcs), ("Folders", entry.Folders), ("InternalTopics", entry.InternalTopics) })
            {
                for (var i = 0; i < patterns.Count; i++)
                {
                    var p = patterns[i];
                    if (string.IsNullOrWhiteSpace(p))
                        errors.Add($"Policy:{ns}:{list}:{i} is empty; remove it or write a pattern (* alone allows everything in the list).");
                    else if (list == "Folders" && p != "*" && (!p.StartsWith('/') || !Path.IsPathFullyQualified(p) || p.Contains('*', StringComparison.Ordinal)))
                        errors.Add($"Policy:{ns}:{list}:{i} is '{p}'; folders are absolute roots without wildcards (e.g. /srv/backups/{(ns == "*" ? "shared" : ns)}), or * alone for every folder.");
                }
            }
        }
        return errors;
    }
}
