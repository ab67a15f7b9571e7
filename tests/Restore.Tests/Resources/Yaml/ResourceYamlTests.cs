using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Yaml;
using static KafkaRestored.Restore.Tests.Resources.ResourceSamples;

namespace KafkaRestored.Restore.Tests.Resources.Yaml;

/// <summary>Canonical YAML: every field round-trips, ambiguous strings are quoted, equal resources give equal text.</summary>
public class ResourceYamlTests
{
    private const string EveryField = """
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata:
          name: every-field
          namespace: dr
          labels: {team: platform}
          annotations: {kafka.oso.sh/rerun: "2"}
        spec:
          backupId: b-1
          targetCluster:
            bootstrapServers: [kafka-0:9092, kafka-1:9092]
            securityProtocol: SASL_SSL
            tlsSecret: {name: kafka-tls, caKey: ca.crt, certKey: tls.crt, keyKey: tls.key}
            saslSecret: {name: creds, mechanism: PLAIN, usernameKey: user, passwordKey: pass}
            replicationFactor: 3
          storage:
            storageType: s3
            s3:
              bucket: backups
              region: eu-west-1
              prefix: prod/hourly
              endpoint: "https://minio.internal:9000"
              forcePathStyle: true
              credentialsSecret: {name: s3-creds, accessKeyKey: ak, secretKeyKey: sk}
          topics: [orders, payments]
          topicMapping: {orders: restored-orders}
          pitr: {enabled: true, timestampMillis: 1733054400000}
          includeOriginalOffsetHeader: true
          offsetReset: {enabled: true, strategy: offset, offset: 42, sourceCluster: prod, consumerGroups: [g1, g2]}
          rollback: {enabled: true, snapshotId: before-dr}
          resources: {requests: {cpu: 500m, memory: 512Mi}, limits: {cpu: 2, memory: 2Gi}}
          job: {backoffLimit: 5, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 0}
          podTemplate:
            annotations: {prometheus.io/scrape: "true"}
            labels: {app: restore}
            nodeSelector: {disk: ssd}
            tolerations:
              - {key: dedicated, operator: Equal, value: kafka, effect: NoSchedule}
              - {operator: Exists, effect: NoExecute, tolerationSeconds: 300}
              - {key: "", operator: Exists}
          onExistingData: append
        ---
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaOffsetReset
        metadata: {name: every-field}
        spec:
          kafkaCluster: {bootstrapServers: [kafka:9092], securityProtocol: SSL, tlsSecret: {name: tls, caKey: ca.crt}}
          consumerGroups: [g1]
          topics: [orders]
          strategy: headerBased
          sourceCluster: prod
          backupId: b-1
          storage: {storageType: filesystem, filesystem: {path: /var/backups/kafka}}
          topicMapping: {orders: restored-orders}
          snapshotBeforeReset: {enabled: true, snapshotId: before-reset}
        ---
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaOffsetRollback
        metadata: {name: every-field}
        spec:
          kafkaCluster: {bootstrapServers: [kafka:9092]}
          operation: snapshot
          snapshotId: taken-now
          consumerGroups: [g1, g2]

        """;

    [Fact]
    public void Every_field_and_extension_of_the_three_kinds_is_typed_and_round_trips_through_canonical_yaml()
    {
        var result = ResourceLoader.LoadText("every.yaml", EveryField);
        Assert.Equal(["IgnoredField"], result.Diagnostics.Select(d => d.Code));
        Assert.Equal(3, result.Resources.Count);

        var r = Assert.IsType<KafkaRestore>(result.Resources[0].Resource);
        Assert.Equal(new ObjectMeta("every-field", "dr", new ValueMap([KeyValuePair.Create("team", "platform")]),
            new ValueMap([KeyValuePair.Create("kafka.oso.sh/rerun", "2")])), r.Metadata);
        Assert.Equal(new TlsSecretRef("kafka-tls", "ca.crt", "tls.crt", "tls.key"), r.Spec.TargetCluster.TlsSecret);
        Assert.Equal(new SaslSecretRef("creds", SaslMechanism.Plain, "user", "pass"), r.Spec.TargetCluster.SaslSecret);
        Assert.Equal((short)3, r.Spec.TargetCluster.ReplicationFactor);
        Assert.Equal(new S3StorageSpec("backups", "eu-west-1", "prod/hourly", "https://minio.internal:9000", true,
            new S3CredentialsSecretRef("s3-creds", "ak", "sk")), r.Spec.Storage.S3);
        Assert.Equal(new PitrSpec(true, null, 1733054400000), r.Spec.Pitr);
        Assert.Equal(new OffsetResetSpec(true, OffsetResetStrategy.Offset, "prod", new ValueList<string>(["g1", "g2"]), null, 42),
            r.Spec.OffsetReset);
        Assert.Equal(new JobSpec(5, 600, 0), r.Spec.Job);
        Assert.Equal(OnExistingData.Append, r.Spec.OnExistingData);
        Assert.Equal(new PodTemplateSpec(
            new ValueMap([KeyValuePair.Create("prometheus.io/scrape", "true")]),
            new ValueMap([KeyValuePair.Create("app", "restore")]),
            new ValueMap([KeyValuePair.Create("disk", "ssd")]),
            new ValueList<Toleration>([
                new Toleration("dedicated", "Equal", "kafka", "NoSchedule", null),
                new Toleration(null, "Exists", null, "NoExecute", 300),
                new Toleration("", "Exists", null, null, null),
            ])), r.Spec.PodTemplate);

        var reset = Assert.IsType<KafkaOffsetReset>(result.Resources[1].Resource);
        Assert.Equal(new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec("/var/backups/kafka")), reset.Spec.Storage);
        Assert.Equal(new SnapshotBeforeResetSpec(true, "before-reset"), reset.Spec.SnapshotBeforeReset);
        var rollback = Assert.IsType<KafkaOffsetRollback>(result.Resources[2].Resource);
        Assert.Equal(RollbackOperation.Snapshot, rollback.Spec.Operation);

        foreach (var loaded in result.Resources.Select(x => x.Resource))
        {
            var yaml = ResourceYaml.Serialize(loaded);
            var again = ResourceLoader.LoadText("canonical.yaml", yaml);
            Assert.False(again.HasErrors, string.Join("\n", again.Diagnostics) + "\n" + yaml);
            Assert.Equal(loaded, Assert.Single(again.Resources).Resource);
        }
    }

    [Fact]
    public void Canonical_yaml_round_trips_strings_that_look_like_other_types()
    {
        string[] tricky =
        [
            "true", "False", "yes", "off", "null", "~", "", " ", "123", "-1.5e3", "0x1F", ".inf", "2024-01-01", "12:30",
            "a: b", "# not a comment", "- item", "[x]", "{y}", "*alias", "&anchor", "!tag", "%dir", "@at", "`tick", "'single'",
            "\"double\"", "tab\there", "line\nbreak", " leading", "trailing ", "ünïcödé ✓", "back\\slash", "|", ">", "?", ",",
        ];
        var labels = new ValueMap(tricky.Select((v, i) => KeyValuePair.Create($"k{i}", v)));
        var annotations = new ValueMap(tricky.Where(t => t.Length > 0).Select(v => KeyValuePair.Create(v, "v")));
        var restore = (KafkaRestore)Single(Minimal);
        var tweaked = restore with { Metadata = restore.Metadata with { Labels = labels, Annotations = annotations } };

        var yaml = ResourceYaml.Serialize(tweaked);
        var back = ResourceLoader.LoadText("t.yaml", yaml);

        Assert.True(back.Diagnostics.Count == 0, string.Join("\n", back.Diagnostics) + "\n" + yaml);
        Assert.Equal(tweaked, back.Resources.Single().Resource);
    }

    [Fact]
    public void Equal_resources_serialize_identically_whatever_their_source_layout()
    {
        var block = Single(Minimal);
        var flow = Single("""
            {apiVersion: kafka.oso.sh/v1alpha1, kind: KafkaRestore, metadata: {name: minimal, namespace: default},
             spec: {storage: {filesystem: {path: /var/backups/kafka}, storageType: filesystem},
                    targetCluster: {securityProtocol: PLAINTEXT, bootstrapServers: ["kafka:9092"]},
                    backupId: "b-1", job: {backoffLimit: 3}, onExistingData: fail}}
            """);

        Assert.Equal(block, flow);
        Assert.Equal(ResourceYaml.Serialize(block), ResourceYaml.Serialize(flow));
    }
}
