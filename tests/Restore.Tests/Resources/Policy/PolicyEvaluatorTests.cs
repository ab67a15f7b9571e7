using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Resources.Policy;

public sealed class PolicyEvaluatorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static HostPolicy Policy(params (string Namespace, PolicyEntry Entry)[] entries) =>
        new(entries.ToDictionary(e => e.Namespace, e => e.Entry));

    private static ObjectMeta Meta(string ns) => new("r", ns, ValueMap.Empty, ValueMap.Empty);

    private static KafkaClusterSpec Cluster(string servers, TlsSecretRef? tls = null, SaslSecretRef? sasl = null) =>
        new(new ValueList<string>(servers.Split(',')), sasl is null ? SecurityProtocol.Plaintext : SecurityProtocol.SaslPlaintext, tls, sasl, null);

    private static StorageSpec S3(string bucket, string? prefix = null, string? endpoint = null, string? secret = null) =>
        new(StorageType.S3, new S3StorageSpec(bucket, null, prefix, endpoint, false,
            secret is null ? null : new S3CredentialsSecretRef(secret, "accessKey", "secretKey")), null);

    private static KafkaRestore Restore(string ns, KafkaClusterSpec cluster, StorageSpec storage, Func<KafkaRestoreSpec, KafkaRestoreSpec>? edit = null)
    {
        var r = RestoreKit.Restore("b1", "x:1", storage, edit);
        return r with { Metadata = Meta(ns), Spec = r.Spec with { TargetCluster = cluster } };
    }

    private static string[] Paths(IEnumerable<PolicyDenial> denials) => [.. denials.Select(d => d.FieldPath)];

    private static readonly StorageSpec AllowedS3 = S3("kafka-backups", "team-a", secret: "s3-keys");

    private static readonly PolicyEntry TeamA = new()
    {
        Secrets = ["kafka-credentials", "s3-keys"],
        Clusters = ["dr-kafka-*:9092"],
        S3 = ["aws/kafka-backups/team-a*"],
    };

    [Fact]
    public void A_restore_within_its_namespace_entry_has_no_denials()
    {
        var r = Restore("team-a", Cluster("dr-kafka-0:9092,DR-KAFKA-1:9092", sasl: new SaslSecretRef("kafka-credentials", SaslMechanism.Plain, "username", "password")), AllowedS3);

        Assert.Empty(PolicyEvaluator.Evaluate(Policy(("team-a", TeamA)), r));
    }

    [Fact]
    public void Every_cluster_reference_of_a_restore_is_checked_and_placed_at_its_field()
    {
        var r = Restore("team-b", Cluster("dr-kafka-0:9092,127.0.0.1:19092",
                new TlsSecretRef("prod-tls", "ca.crt", null, null), new SaslSecretRef("prod-kafka", SaslMechanism.Plain, "username", "password")),
            AllowedS3);
        var policy = Policy(("team-a", TeamA), ("team-b", new PolicyEntry { Clusters = ["dr-kafka-*:9092"], S3 = ["*"], Secrets = ["s3-keys"] }));

        var denials = PolicyEvaluator.Evaluate(policy, r);

        Assert.Equal(["spec.targetCluster.bootstrapServers[1]", "spec.targetCluster.tlsSecret.name", "spec.targetCluster.saslSecret.name"], Paths(denials));
        Assert.Equal("namespace team-b may not use cluster 127.0.0.1:19092: add a pattern matching it to Policy:team-b:Clusters in the daemon settings", denials[0].Message);
        Assert.Contains("secret prod-tls", denials[1].Message, StringComparison.Ordinal);
        Assert.Contains("secret prod-kafka", denials[2].Message, StringComparison.Ordinal);
        Assert.All(denials.Skip(1), d => Assert.Equal("Policy:team-b:Secrets", d.Setting));
    }

    [Fact]
    public void A_secret_allowed_for_another_namespace_is_denied()
    {
        var r = Restore("team-b", Cluster("dr-kafka-0:9092", sasl: new SaslSecretRef("kafka-credentials", SaslMechanism.Plain, "username", "password")), AllowedS3);

        var denials = PolicyEvaluator.Evaluate(Policy(("team-a", TeamA), ("team-b", new PolicyEntry { Clusters = ["*"], S3 = ["*"], Secrets = ["s3-keys"] })), r);

        Assert.Equal(["spec.targetCluster.saslSecret.name"], Paths(denials));
    }

    [Fact]
    public void Star_namespace_entries_are_unioned_with_the_namespace_own()
    {
        var r = Restore("team-a", Cluster("dr-kafka-0:9092,127.0.0.1:9092"), AllowedS3);
        var onlyOwn = Policy(("team-a", TeamA));
        var withStar = Policy(("team-a", TeamA), ("*", new PolicyEntry { Clusters = ["127.0.0.1:*"] }));

        Assert.Equal(["spec.targetCluster.bootstrapServers[1]"], Paths(PolicyEvaluator.Evaluate(onlyOwn, r)));
        Assert.Empty(PolicyEvaluator.Evaluate(withStar, r));
        // The * entry alone serves a namespace that has none of its own.
        var other = Restore("team-z", Cluster("127.0.0.1:9092"), AllowedS3);
        Assert.Equal(["spec.storage.s3.bucket", "spec.storage.s3.credentialsSecret.name"], Paths(PolicyEvaluator.Evaluate(withStar, other)));
    }

    [Fact]
    public void S3_locations_match_endpoint_bucket_and_prefix()
    {
        Assert.Equal("aws/kafka-backups/team-a", PolicyEvaluator.S3Location(AllowedS3.S3!));
        Assert.Equal("http://127.0.0.1:4568/b/", PolicyEvaluator.S3Location(S3("b", endpoint: "HTTP://127.0.0.1:4568/").S3!));
        // The endpoint is matched as the client reaches it: default port dropped, dot segments applied, a decimal IPv4 host in dotted form.
        Assert.Equal("http://minio.local/b/", PolicyEvaluator.S3Location(S3("b", endpoint: "http://MINIO.local:80").S3!));
        Assert.Equal("https://minio.local:9000/b/", PolicyEvaluator.S3Location(S3("b", endpoint: "https://minio.local:9000/x/../").S3!));
        Assert.Equal("http://127.0.0.1:4568/b/", PolicyEvaluator.S3Location(S3("b", endpoint: "http://2130706433:4568").S3!));
        var policy = Policy(("team-a", TeamA));

        var otherPrefix = Restore("team-a", Cluster("dr-kafka-0:9092"), S3("kafka-backups", "team-b", secret: "s3-keys"));
        var otherEndpoint = Restore("team-a", Cluster("dr-kafka-0:9092"), S3("kafka-backups", "team-a", "http://127.0.0.1:4568", "s3-keys"));
        var dotDot = Restore("team-a", Cluster("dr-kafka-0:9092"), S3("kafka-backups", "team-a/../team-b", secret: "s3-keys"));

        Assert.Equal(["spec.storage.s3.bucket"], Paths(PolicyEvaluator.Evaluate(policy, otherPrefix)));
        var endpoint = Assert.Single(PolicyEvaluator.Evaluate(policy, otherEndpoint));
        Assert.Equal("spec.storage.s3.endpoint", endpoint.FieldPath);
        Assert.Contains("S3 location http://127.0.0.1:4568/kafka-backups/team-a", endpoint.Message, StringComparison.Ordinal);
        Assert.Equal(["spec.storage.s3.prefix"], Paths(PolicyEvaluator.Evaluate(policy, dotDot)));

        // A prefix is a folder: "team-a/*" allows team-a itself (with or without slashes) and what lies under it, not team-a-other.
        var folder = Policy(("team-a", new PolicyEntry { Clusters = ["*"], Secrets = ["*"], S3 = ["aws/kafka-backups/team-a/*"] }));
        foreach (var prefix in new[] { "team-a", "/team-a/", "team-a/hourly" })
            Assert.Empty(PolicyEvaluator.Evaluate(folder, Restore("team-a", Cluster("dr-kafka-0:9092"), S3("kafka-backups", prefix, secret: "s3-keys"))));
        Assert.Equal(["spec.storage.s3.bucket"], Paths(PolicyEvaluator.Evaluate(folder, Restore("team-a", Cluster("dr-kafka-0:9092"), S3("kafka-backups", "team-a-other", secret: "s3-keys")))));
        Assert.Equal(["spec.storage.s3.bucket"], Paths(PolicyEvaluator.Evaluate(folder, Restore("team-a", Cluster("dr-kafka-0:9092"), S3("kafka-backups", null, secret: "s3-keys")))));
    }

    [Fact]
    public void Ambient_credentials_count_as_the_secret_at_ambient()
    {
        var r = Restore("team-a", Cluster("dr-kafka-0:9092"), S3("kafka-backups", "team-a"));
        var denial = Assert.Single(PolicyEvaluator.Evaluate(Policy(("team-a", TeamA)), r));
        Assert.Equal("spec.storage.s3", denial.FieldPath);
        Assert.Contains("@ambient", denial.Message, StringComparison.Ordinal);
        Assert.Contains("Policy:team-a:Secrets", denial.Message, StringComparison.Ordinal);

        var allowed = new PolicyEntry { Clusters = TeamA.Clusters, S3 = TeamA.S3, Secrets = ["@ambient"] };
        Assert.Empty(PolicyEvaluator.Evaluate(Policy(("team-a", allowed)), r));
    }

    [Fact]
    public void Folders_allow_their_root_and_below_but_not_beside_or_through_dot_dot()
    {
        var root = _dir.Combine("backups", "team-a");
        Directory.CreateDirectory(root);
        var policy = Policy(("team-a", new PolicyEntry { Clusters = ["*"], Folders = [root] }));
        PolicyDenial[] Check(string path) => [.. PolicyEvaluator.Evaluate(policy, Restore("team-a", Cluster("k:1"), RestoreKit.Filesystem(path)))];

        Assert.Empty(Check(root));
        Assert.Empty(Check(root + "/"));
        Assert.Empty(Check(Path.Combine(root, "nightly", "not-yet-there")));
        Assert.Equal(["spec.storage.filesystem.path"], Paths(Check(root + "-evil")));
        Assert.Equal(["spec.storage.filesystem.path"], Paths(Check(Path.Combine(root, "..", "team-b"))));
        var denial = Check("/tmp").Single();
        Assert.Equal("namespace team-a may not use folder /tmp: add it, or a folder above it, to Policy:team-a:Folders in the daemon settings", denial.Message);
    }

    [Fact]
    public void A_symbolic_link_under_an_allowed_root_cannot_lead_out_of_it()
    {
        var root = _dir.Combine("backups");
        var outside = _dir.Combine("secrets");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(outside);
        Directory.CreateSymbolicLink(Path.Combine(root, "escape"), outside);
        Directory.CreateSymbolicLink(Path.Combine(root, "inside"), Path.Combine(root, "real"));
        Directory.CreateDirectory(Path.Combine(root, "real"));
        var policy = Policy(("*", new PolicyEntry { Clusters = ["*"], Folders = [root] }));
        PolicyDenial[] Check(string path) => [.. PolicyEvaluator.Evaluate(policy, Restore("default", Cluster("k:1"), RestoreKit.Filesystem(path)))];

        Assert.Single(Check(Path.Combine(root, "escape")));
        Assert.Single(Check(Path.Combine(root, "escape", "deeper")));
        // '..' after a link applies to the link's target, as the kernel does: this is outside/../x, not root/x.
        Assert.Single(Check(Path.Combine(root, "escape", "..", "real")));
        Assert.Empty(Check(Path.Combine(root, "inside")));
        // A link outside pointing in does not make its path allowed: the path as written must be under a root too.
        var inward = _dir.Combine("inward");
        Directory.CreateSymbolicLink(inward, root);
        Assert.Single(Check(inward));
    }

    [Fact]
    public void A_symlinked_root_allows_paths_through_either_spelling()
    {
        var real = _dir.Combine("data", "backups");
        Directory.CreateDirectory(real);
        var link = _dir.Combine("srv-backups");
        Directory.CreateSymbolicLink(link, real);
        var policy = Policy(("*", new PolicyEntry { Clusters = ["*"], Folders = [link] }));

        Assert.Empty(PolicyEvaluator.Evaluate(policy, Restore("default", Cluster("k:1"), RestoreKit.Filesystem(Path.Combine(link, "team-a")))));
    }

    [Fact]
    public void Internal_target_topics_after_topic_mapping_need_internal_topics()
    {
        var mapped = new ValueMap([KeyValuePair.Create("orders", "__consumer_offsets"), KeyValuePair.Create("payments", "payments-restored")]);
        var r = Restore("team-a", Cluster("dr-kafka-0:9092"), AllowedS3, s => s with { Topics = new ValueList<string>(["orders", "payments", "_schemas", "__transaction_state"]), TopicMapping = mapped });
        var policy = Policy(("team-a", TeamA));

        var denials = PolicyEvaluator.Evaluate(policy, r);

        Assert.Equal(["spec.topicMapping.orders", "spec.topics[2]", "spec.topics[3]"], Paths(denials));
        Assert.All(denials, d => Assert.Equal("Policy:team-a:InternalTopics", d.Setting));
        Assert.Equal(Paths(denials), Paths(PolicyEvaluator.InternalTopics(null, r)));
        var allowing = Policy(("team-a", new PolicyEntry { Clusters = TeamA.Clusters, S3 = TeamA.S3, Secrets = TeamA.Secrets, InternalTopics = ["_schemas", "__*"] }));
        Assert.Empty(PolicyEvaluator.Evaluate(allowing, r));
        Assert.Empty(PolicyEvaluator.InternalTopics(allowing, r));
        // Without spec.topics the mapped targets are known now; the rest come from the manifest (checked by the engine).
        var all = r with { Spec = r.Spec with { Topics = null } };
        Assert.Equal(["spec.topicMapping.orders"], Paths(PolicyEvaluator.InternalTopics(null, all)));
        Assert.True(PolicyEvaluator.IsInternalTopic("__consumer_offsets"));
        Assert.False(PolicyEvaluator.IsInternalTopic("_schemas2"));
        Assert.False(PolicyEvaluator.IsInternalTopic("orders__x"));
    }

    [Fact]
    public void Offset_resets_are_checked_for_their_cluster_and_the_storage_a_header_based_reset_reads()
    {
        var reset = new KafkaOffsetReset(Meta("team-a"), new KafkaOffsetResetSpec(
            Cluster("dr-kafka-0:9092"), new ValueList<string>(["g"]), ValueList<string>.Empty, OffsetResetStrategy.HeaderBased,
            null, null, null, "b1", RestoreKit.Filesystem("/srv/elsewhere"), ValueMap.Empty, null));
        var rollback = new KafkaOffsetRollback(Meta("team-a"), new KafkaOffsetRollbackSpec(
            Cluster("10.0.0.1:9092", sasl: new SaslSecretRef("kafka-credentials", SaslMechanism.Plain, "username", "password")),
            RollbackOperation.Snapshot, "s1", new ValueList<string>(["g"])));
        var policy = Policy(("team-a", TeamA));

        Assert.Equal(["spec.storage.filesystem.path"], Paths(PolicyEvaluator.Evaluate(policy, reset)));
        // A reset aimed at a listener the policy does not name (issue #19's exfiltration path) is denied at its cluster too.
        var elsewhere = new KafkaOffsetReset(Meta("team-a"), new KafkaOffsetResetSpec(
            Cluster("10.0.0.1:9092"), new ValueList<string>(["g"]), ValueList<string>.Empty, OffsetResetStrategy.HeaderBased,
            null, null, null, "b1", RestoreKit.Filesystem("/srv/elsewhere"), ValueMap.Empty, null));
        Assert.Equal(["spec.kafkaCluster.bootstrapServers[0]", "spec.storage.filesystem.path"], Paths(PolicyEvaluator.Evaluate(policy, elsewhere)));
        Assert.Equal(["spec.kafkaCluster.bootstrapServers[0]"], Paths(PolicyEvaluator.Evaluate(policy, rollback)));
    }

    [Fact]
    public void Star_alone_allows_everything_of_its_list()
    {
        var r = Restore("team-a", Cluster("anything:1", sasl: new SaslSecretRef("prod", SaslMechanism.Plain, "u", "p")), S3("b"),
            s => s with { TopicMapping = new ValueMap([KeyValuePair.Create("x", "__consumer_offsets")]) });

        Assert.Empty(PolicyEvaluator.Evaluate(HostPolicy.AllowAll, r));
        Assert.True(PolicyEvaluator.FolderAllowed(["*"], "/etc"));
    }

    [Fact]
    public void Without_any_policy_nothing_is_allowed_and_one_message_names_the_setting_to_add()
    {
        var r = Restore("team-b", Cluster("127.0.0.1:19092", sasl: new SaslSecretRef("prod-kafka", SaslMechanism.Plain, "u", "p")), AllowedS3);

        var denial = Assert.Single(PolicyEvaluator.Evaluate(null, r));

        Assert.Equal("spec.targetCluster.bootstrapServers[0]", denial.FieldPath);
        Assert.Contains("no Policy", denial.Message, StringComparison.Ordinal);
        Assert.Contains("namespace team-b", denial.Message, StringComparison.Ordinal);
        Assert.Contains("cluster 127.0.0.1:19092", denial.Message, StringComparison.Ordinal);
        Assert.Contains("Policy:team-b:Clusters", denial.Message, StringComparison.Ordinal);
        // An empty policy (no entry for the namespace) also allows nothing, reference by reference.
        Assert.Equal(4, PolicyEvaluator.Evaluate(Policy(), r).Count);
    }
}
