using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Policy;

/// <summary>
/// Decides what a validated resource may reach under a <see cref="HostPolicy"/>: every cluster,
/// secret, S3, Azure or GCS location, folder and internal target topic it references, each denial with the YAML
/// field it concerns. Pure except that a folder's existing part is resolved through symbolic links,
/// so a link under an allowed root cannot lead out of it.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>Every denial of <paramref name="resource"/>; with no policy at all, one denial saying so (nothing is allowed).</summary>
    public static IReadOnlyList<PolicyDenial> Evaluate(HostPolicy? policy, KafkaResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var ns = resource.Metadata.Namespace;
        var checker = new Checker(policy ?? Empty, ns);
        switch (resource)
        {
            case KafkaRestore r:
                checker.Cluster(r.Spec.TargetCluster, "spec.targetCluster");
                checker.Storage(r.Spec.Storage, "spec.storage");
                checker.TargetTopics(r.Spec);
                break;
            case KafkaOffsetReset r:
                checker.Cluster(r.Spec.KafkaCluster, "spec.kafkaCluster");
                if (r.Spec.Storage is { } storage) checker.Storage(storage, "spec.storage");
                break;
            case KafkaOffsetRollback r:
                checker.Cluster(r.Spec.KafkaCluster, "spec.kafkaCluster");
                break;
            case KafkaBackup r:
                // The backup's source cluster and where it writes (and, with retention, deletes): as a KafkaRestore's.
                checker.Cluster(r.Spec.KafkaCluster, "spec.kafkaCluster");
                checker.Storage(r.Spec.Storage, "spec.storage");
                break;
            case KafkaRestoreDrill r:
                checker.Cluster(r.Spec.TargetCluster, "spec.targetCluster");
                if (r.Spec.Storage is { } drillStorage) checker.Storage(drillStorage, "spec.storage");
                checker.ScratchTopics(r.Spec);
                break;
        }
        return policy is null ? NoPolicy(ns, checker.Denials) : checker.Denials;
    }

    /// <summary>Only the internal-topic targets of a restore or a drill's scratch topics (any topic starting <c>__</c>, and <c>_schemas</c>): refused unless the policy's InternalTopics allow them, with or without a policy.</summary>
    public static IReadOnlyList<PolicyDenial> InternalTopics(HostPolicy? policy, KafkaResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var checker = new Checker(policy ?? Empty, resource.Metadata.Namespace);
        if (resource is KafkaRestore r) checker.TargetTopics(r.Spec);
        if (resource is KafkaRestoreDrill d) checker.ScratchTopics(d.Spec);
        return checker.Denials;
    }

    /// <summary>Denials of a cluster reference (bootstrap servers, TLS and SASL secrets) for namespace <paramref name="ns"/>; <paramref name="path"/> is its YAML field.</summary>
    public static IReadOnlyList<PolicyDenial> Cluster(HostPolicy policy, string ns, KafkaClusterSpec cluster, string path)
    {
        var checker = new Checker(policy, ns);
        checker.Cluster(cluster, path);
        return checker.Denials;
    }

    /// <summary>Denials of a storage reference (S3 location and credentials, or folder) for namespace <paramref name="ns"/>.</summary>
    public static IReadOnlyList<PolicyDenial> Storage(HostPolicy policy, string ns, StorageSpec storage, string path)
    {
        var checker = new Checker(policy, ns);
        checker.Storage(storage, path);
        return checker.Denials;
    }

    /// <summary>The denial of restoring into <paramref name="topic"/>, or null when it is not internal or the policy allows it.</summary>
    public static PolicyDenial? TargetTopic(HostPolicy? policy, string ns, string topic, string path)
    {
        var checker = new Checker(policy ?? Empty, ns);
        checker.TargetTopic(topic, path);
        return checker.Denials.Count > 0 ? checker.Denials[0] : null;
    }

    /// <summary>True for Kafka's internal topics (<c>__consumer_offsets</c>, <c>__transaction_state</c>, any <c>__</c> topic) and the schema registry's <c>_schemas</c>.</summary>
    public static bool IsInternalTopic(string topic) => topic.StartsWith("__", StringComparison.Ordinal) || topic == "_schemas";

    /// <summary>The location an S3 storage is matched as: <c>&lt;endpoint&gt;/&lt;bucket&gt;/&lt;prefix&gt;</c>, endpoint <c>aws</c> when none is given.</summary>
    public static string S3Location(S3StorageSpec s3)
    {
        ArgumentNullException.ThrowIfNull(s3);
        var endpoint = s3.Endpoint is null ? "aws" : CanonicalEndpoint(s3.Endpoint);
        // The storage reads under the prefix with its slashes trimmed (team-a/ and team-a are one folder).
        return $"{endpoint}/{s3.Bucket}/{(s3.Prefix ?? "").Trim('/')}";
    }

    /// <summary>The location an Azure storage is matched as: <c>&lt;endpoint&gt;/&lt;account&gt;/&lt;container&gt;/&lt;prefix&gt;</c>, endpoint <c>azure</c> when none is given.</summary>
    public static string AzureLocation(AzureStorageSpec azure)
    {
        ArgumentNullException.ThrowIfNull(azure);
        var endpoint = azure.Endpoint is null ? "azure" : CanonicalEndpoint(azure.Endpoint);
        return $"{endpoint}/{azure.AccountName}/{azure.Container}/{(azure.Prefix ?? "").Trim('/')}";
    }

    /// <summary>The location a GCS storage is matched as: <c>&lt;endpoint&gt;/&lt;bucket&gt;/&lt;prefix&gt;</c>, endpoint <c>gcs</c> when none is given.</summary>
    public static string GcsLocation(GcsStorageSpec gcs)
    {
        ArgumentNullException.ThrowIfNull(gcs);
        var endpoint = gcs.Endpoint is null ? "gcs" : CanonicalEndpoint(gcs.Endpoint);
        return $"{endpoint}/{gcs.Bucket}/{(gcs.Prefix ?? "").Trim('/')}";
    }

    /// <summary>
    /// The endpoint as the client will reach it: scheme, host and port as <see cref="Uri"/> parses them
    /// (so <c>HTTP://Host:80/</c>, <c>http://host</c> and a decimal IPv4 host compare as one), any path
    /// with dot segments applied, lower case, no trailing slash.
    /// </summary>
    private static string CanonicalEndpoint(string endpoint) =>
        (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : endpoint)
            .ToLowerInvariant().TrimEnd('/');

    /// <summary>
    /// True when <paramref name="folder"/> is at or under one of <paramref name="roots"/>, both as
    /// written (with <c>.</c> and <c>..</c> applied) and with symbolic links of the existing part
    /// resolved; <c>*</c> among the roots allows every folder.
    /// </summary>
    public static bool FolderAllowed(IEnumerable<string> roots, string folder)
    {
        var list = roots.ToList();
        if (list.Contains("*")) return true;
        if (!Path.IsPathFullyQualified(folder)) return false;
        var lexical = Path.GetFullPath(folder);
        var real = RealPath(folder);
        if (real is null) return false;
        return list.Where(Path.IsPathFullyQualified).Any(root =>
            Under(lexical, Path.GetFullPath(root)) && RealPath(root) is { } realRoot && Under(real, realRoot));
    }

    private static bool Under(string path, string root)
    {
        path = Trim(path);
        root = Trim(root);
        return root == "/" || path == root || path.StartsWith(root + "/", StringComparison.Ordinal);
    }

    private static string Trim(string path) => path.Length > 1 ? path.TrimEnd('/') : path;

    /// <summary>
    /// The path the operating system would open: each existing component that is a symbolic link is
    /// replaced by its target and <c>..</c> applies to what precedes it after resolution; components
    /// past the first missing one are taken as written. Null after too many links (a loop).
    /// </summary>
    internal static string? RealPath(string path)
    {
        var pending = new LinkedList<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var current = "/";
        var exists = true;
        var links = 0;
        while (pending.First is { } node)
        {
            var part = node.Value;
            pending.RemoveFirst();
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            var next = Path.Join(current, part);
            if (!exists)
            {
                current = next;
                continue;
            }
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
                if (target is null && !Directory.Exists(next) && !File.Exists(next)) exists = false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                target = null;
                exists = false;
            }
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > 40) return null;
            if (target.StartsWith('/')) current = "/";
            foreach (var t in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.AddFirst(t);
        }
        return current;
    }

    private static readonly HostPolicy Empty = new(new Dictionary<string, PolicyEntry>());

    private static List<PolicyDenial> NoPolicy(string ns, List<PolicyDenial> denials)
    {
        if (denials.Count == 0) return [];
        var first = denials[0];
        return
        [
            new PolicyDenial(first.FieldPath, first.Reference, first.Setting,
                $"the settings have no Policy, so nothing is allowed: namespace {ns} may not use {first.Reference} (nor any other cluster, secret, S3, Azure or GCS location or folder); " +
                $"add a Policy section to the daemon settings allowing what namespace {ns} needs, starting with {first.Setting} (see docs/SECURITY.md)"),
        ];
    }

    private sealed class Checker(HostPolicy policy, string ns)
    {
        private readonly PolicyEntry _entry = policy.For(ns);

        public List<PolicyDenial> Denials { get; } = [];

        private void Deny(string path, string list, string reference, string? hint = null)
        {
            var setting = $"Policy:{ns}:{list}";
            Denials.Add(new PolicyDenial(path, reference, setting,
                $"namespace {ns} may not use {reference}: {hint ?? "add a pattern matching it to " + setting} in the daemon settings"));
        }

        public void Cluster(KafkaClusterSpec cluster, string path)
        {
            for (var i = 0; i < cluster.BootstrapServers.Count; i++)
            {
                var server = cluster.BootstrapServers[i];
                if (!PolicyPattern.AnyMatches(_entry.Clusters, server, ignoreCase: true))
                    Deny($"{path}.bootstrapServers[{i}]", "Clusters", $"cluster {server}");
            }
            if (cluster.TlsSecret is { } tls) Secret(tls.Name, $"{path}.tlsSecret.name");
            if (cluster.SaslSecret is { } sasl) Secret(sasl.Name, $"{path}.saslSecret.name");
        }

        private void Secret(string name, string path)
        {
            if (!PolicyPattern.AnyMatches(_entry.Secrets, name)) Deny(path, "Secrets", $"secret {name}");
        }

        public void Storage(StorageSpec storage, string path)
        {
            if (storage.S3 is { } s3)
            {
                var location = S3Location(s3);
                var at = s3.Endpoint is null ? $"{path}.s3.bucket" : $"{path}.s3.endpoint";
                // The prefix is a folder: "aws/b/team-a/*" allows the prefix team-a itself, as well as what lies under it.
                if (!PolicyPattern.AnyMatches(_entry.S3, location) && !PolicyPattern.AnyMatches(_entry.S3, location + "/"))
                    Deny(at, "S3", $"S3 location {location}");
                if (s3.Prefix is { } prefix && prefix.Split('/').Any(p => p is "." or ".."))
                {
                    Denials.Add(new PolicyDenial($"{path}.s3.prefix", $"S3 prefix {prefix}", $"Policy:{ns}:S3",
                        $"namespace {ns} may not use S3 prefix {prefix}: '.' and '..' segments could lead out of the location Policy:{ns}:S3 allows; write the prefix without them"));
                }
                if (s3.CredentialsSecret is { } secret) Secret(secret.Name, $"{path}.s3.credentialsSecret.name");
                else if (!PolicyPattern.AnyMatches(_entry.Secrets, HostPolicy.AmbientSecret))
                {
                    Deny($"{path}.s3", "Secrets", $"the host's ambient AWS credentials (secret {HostPolicy.AmbientSecret}, used when s3.credentialsSecret is not set)",
                        $"set {path}.s3.credentialsSecret, or add {HostPolicy.AmbientSecret} to Policy:{ns}:Secrets");
                }
            }
            if (storage.Azure is { } azure) Azure(azure, path);
            if (storage.Gcs is { } gcs) Gcs(gcs, path);
            if (storage.Filesystem is { } fs && !FolderAllowed(_entry.Folders, fs.Path))
                Deny($"{path}.filesystem.path", "Folders", $"folder {fs.Path}", $"add it, or a folder above it, to Policy:{ns}:Folders");
        }

        private void Azure(AzureStorageSpec azure, string path)
        {
            Location("Azure", _entry.Azure, AzureLocation(azure), azure.Endpoint is null ? $"{path}.azure.accountName" : $"{path}.azure.endpoint", azure.Prefix, $"{path}.azure.prefix");
            if (azure.CredentialsSecret is { } key) Secret(key.Name, $"{path}.azure.credentialsSecret.name");
            else if (azure.SasTokenSecret is { } sas) Secret(sas.Name, $"{path}.azure.sasTokenSecret.name");
            else Ambient($"{path}.azure", "the host's ambient Azure credential", "neither azure.credentialsSecret nor azure.sasTokenSecret is set",
                $"set {path}.azure.credentialsSecret or {path}.azure.sasTokenSecret");
        }

        private void Gcs(GcsStorageSpec gcs, string path)
        {
            Location("Gcs", _entry.Gcs, GcsLocation(gcs), gcs.Endpoint is null ? $"{path}.gcs.bucket" : $"{path}.gcs.endpoint", gcs.Prefix, $"{path}.gcs.prefix");
            if (gcs.CredentialsSecret is { } key) Secret(key.Name, $"{path}.gcs.credentialsSecret.name");
            else Ambient($"{path}.gcs", "the host's application default Google credentials", "gcs.credentialsSecret is not set", $"set {path}.gcs.credentialsSecret");
        }

        /// <summary>A cloud location against its list; as for S3, the prefix is a folder: ".../team-a/*" allows the prefix team-a itself.</summary>
        private void Location(string list, IList<string> patterns, string location, string at, string? prefix, string prefixPath)
        {
            var label = list == "Gcs" ? "GCS" : list;
            if (!PolicyPattern.AnyMatches(patterns, location) && !PolicyPattern.AnyMatches(patterns, location + "/"))
                Deny(at, list, $"{label} location {location}");
            if (prefix is not null && prefix.Split('/').Any(p => p is "." or ".."))
            {
                Denials.Add(new PolicyDenial(prefixPath, $"{label} prefix {prefix}", $"Policy:{ns}:{list}",
                    $"namespace {ns} may not use {label} prefix {prefix}: '.' and '..' segments could lead out of the location Policy:{ns}:{list} allows; write the prefix without them"));
            }
        }

        /// <summary>The host's own credentials, allowed only by <see cref="HostPolicy.AmbientSecret"/> in the Secrets list.</summary>
        private void Ambient(string path, string what, string when, string instead)
        {
            if (!PolicyPattern.AnyMatches(_entry.Secrets, HostPolicy.AmbientSecret))
                Deny(path, "Secrets", $"{what} (secret {HostPolicy.AmbientSecret}, used when {when})", $"{instead}, or add {HostPolicy.AmbientSecret} to Policy:{ns}:Secrets");
        }

        public void TargetTopics(KafkaRestoreSpec spec)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            if (spec.Topics is { } topics)
            {
                for (var i = 0; i < topics.Count; i++)
                {
                    var mapped = spec.TopicMapping.TryGetValue(topics[i], out var target);
                    if (seen.Add(mapped ? target! : topics[i]))
                        TargetTopic(mapped ? target! : topics[i], mapped ? $"spec.topicMapping.{topics[i]}" : $"spec.topics[{i}]");
                }
                return;
            }
            // Without spec.topics every backup topic is restored: each mapped target is one; the engine checks the rest once it has read the manifest.
            foreach (var (source, target) in spec.TopicMapping)
            {
                if (seen.Add(target)) TargetTopic(target, $"spec.topicMapping.{source}");
            }
        }

        /// <summary>A drill's scratch topics (prefix + listed topic); without topics the engine checks them once the manifest is read.</summary>
        public void ScratchTopics(KafkaRestoreDrillSpec spec)
        {
            for (var i = 0; i < (spec.Topics?.Count ?? 0); i++) TargetTopic(spec.ScratchTopic(spec.Topics![i]), $"spec.topics[{i}]");
        }

        public void TargetTopic(string topic, string path)
        {
            if (IsInternalTopic(topic) && !PolicyPattern.AnyMatches(_entry.InternalTopics, topic))
                Deny(path, "InternalTopics", $"internal topic {topic} as a restore target", $"restoring into it needs a pattern matching it in Policy:{ns}:InternalTopics");
        }
    }
}
