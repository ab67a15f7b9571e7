using System.Globalization;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.Resources;
using KafkaRestored.Restore.Resources;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Resources;

public class ResourceLoaderTests
{
    private const string Minimal = """
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata:
          name: minimal
        spec:
          backupId: b-1
          targetCluster:
            bootstrapServers: [kafka:9092]
          storage:
            storageType: filesystem
            filesystem: {path: /var/backups/kafka}

        """;

    private static KafkaResource Single(string yaml)
    {
        var result = ResourceLoader.LoadText("t.yaml", yaml);
        Assert.True(result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Resources).Resource;
    }

    [Fact]
    public void A_minimal_restore_gets_the_documented_defaults()
    {
        var r = Assert.IsType<KafkaRestore>(Single(Minimal));

        Assert.Equal(new ObjectMeta("minimal", "default", ValueMap.Empty, ValueMap.Empty), r.Metadata);
        Assert.Equal(new KafkaClusterSpec(new ValueList<string>(["kafka:9092"]), SecurityProtocol.Plaintext, null, null, null), r.Spec.TargetCluster);
        Assert.Equal(new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec("/var/backups/kafka")), r.Spec.Storage);
        Assert.Null(r.Spec.Topics);
        Assert.Empty(r.Spec.TopicMapping);
        Assert.Null(r.Spec.Pitr);
        Assert.False(r.Spec.IncludeOriginalOffsetHeader);
        Assert.Null(r.Spec.OffsetReset);
        Assert.Null(r.Spec.Rollback);
        Assert.Null(r.Spec.Resources);
        Assert.Equal(JobSpec.Default, r.Spec.Job);
        Assert.Null(r.Spec.PodTemplate);
        Assert.Equal(OnExistingData.Fail, r.Spec.OnExistingData);
    }

    [Fact]
    public void Extensions_and_defaulted_secret_keys_and_snapshot_ids_are_filled_in()
    {
        var yaml = Minimal.Replace("""
              storage:
                storageType: filesystem
                filesystem: {path: /var/backups/kafka}
            """, """
              storage:
                storageType: s3
                s3: {bucket: backups, endpoint: "http://127.0.0.1:9000", forcePathStyle: true}
              onExistingData: append
              offsetReset: {enabled: true, strategy: offset, offset: 42, consumerGroups: [g1]}
              rollback: {enabled: true}
            """, StringComparison.Ordinal).Replace("""
                bootstrapServers: [kafka:9092]
            """, """
                bootstrapServers: [kafka:9092]
                securityProtocol: SASL_PLAINTEXT
                saslSecret: {name: creds, mechanism: SCRAM-SHA-512}
                replicationFactor: 3
            """, StringComparison.Ordinal);

        var r = Assert.IsType<KafkaRestore>(Single(yaml));

        Assert.Equal(new SaslSecretRef("creds", SaslMechanism.ScramSha512, "username", "password"), r.Spec.TargetCluster.SaslSecret);
        Assert.Equal((short)3, r.Spec.TargetCluster.ReplicationFactor);
        Assert.Equal(new S3StorageSpec("backups", null, null, "http://127.0.0.1:9000", true, null), r.Spec.Storage.S3);
        Assert.Equal(OnExistingData.Append, r.Spec.OnExistingData);
        Assert.Equal(42, r.Spec.OffsetReset!.Offset);
        Assert.Equal(new RollbackSpec(true, "minimal-pre-restore"), r.Spec.Rollback);

        var reset = Assert.IsType<KafkaOffsetReset>(Single("""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaOffsetReset
            metadata: {name: replay}
            spec:
              kafkaCluster: {bootstrapServers: [kafka:9092]}
              consumerGroups: [g1]
              strategy: headerBased
              backupId: b-1
              storage: {storageType: filesystem, filesystem: {path: /b}}
              snapshotBeforeReset: {enabled: true}
            """));
        Assert.Equal(new SnapshotBeforeResetSpec(true, "replay-pre-reset"), reset.Spec.SnapshotBeforeReset);
        Assert.Empty(reset.Spec.Topics);
    }

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
    public void Editing_podTemplate_content_is_no_spec_change_but_adding_or_removing_podTemplate_is()
    {
        KafkaResource Load(string tail) => ResourceLoader.LoadText("t.yaml", Minimal + tail).Resources.Single().Resource;
        var without = Load("");
        var empty = Load("  podTemplate: {}\n");
        var labelled = Load("  podTemplate: {labels: {app: restore}, tolerations: [{operator: Exists}]}\n");

        Assert.NotEqual(empty, labelled);
        Assert.Equal(DesiredStateLoader.SpecHash(empty), DesiredStateLoader.SpecHash(labelled));
        Assert.NotEqual(DesiredStateLoader.SpecHash(without), DesiredStateLoader.SpecHash(empty));
    }

    [Theory]
    [InlineData("500m", 500)]
    [InlineData("2", 2000)]
    [InlineData("0.5", 500)]
    [InlineData("1.5", 1500)]
    [InlineData("\"4\"", 4000)]
    [InlineData("250m", 250)]
    [InlineData("0.0001", 1)]
    [InlineData("1e1", 10000)]
    public void Cpu_quantities_become_millicores(string text, long millis)
    {
        var r = Assert.IsType<KafkaRestore>(Single(Minimal + $"  resources: {{limits: {{cpu: {text}}}}}\n"));

        Assert.Equal(millis, r.Spec.Resources!.Limits!.CpuMillis);
    }

    [Theory]
    [InlineData("512Mi", 536_870_912L)]
    [InlineData("2Gi", 2_147_483_648L)]
    [InlineData("1G", 1_000_000_000L)]
    [InlineData("1e9", 1_000_000_000L)]
    [InlineData("1073741824", 1_073_741_824L)]
    [InlineData("1.5Gi", 1_610_612_736L)]
    [InlineData("128k", 128_000L)]
    [InlineData("64Ki", 65_536L)]
    public void Memory_quantities_become_bytes(string text, long bytes)
    {
        var r = Assert.IsType<KafkaRestore>(Single(Minimal + $"  resources: {{requests: {{memory: 1}}, limits: {{memory: {text}}}}}\n"));

        Assert.Equal(bytes, r.Spec.Resources!.Limits!.MemoryBytes);
        Assert.Equal(1, r.Spec.Resources.Requests!.MemoryBytes);
    }

    [Theory]
    [InlineData("2024-12-01T12:00:00Z", 1_733_054_400_000L)]
    [InlineData("2024-12-01T13:00:00+01:00", 1_733_054_400_000L)]
    [InlineData("2024-12-01T12:00:00.5Z", 1_733_054_400_500L)]
    [InlineData("2024-12-01t07:00:00-05:00", 1_733_054_400_000L)]
    public void Pitr_timestamps_with_a_zone_give_the_instant_and_keep_their_offset_in_canonical_form(string text, long millis)
    {
        var r = Assert.IsType<KafkaRestore>(Single(Minimal + $"  pitr: {{enabled: true, timestamp: \"{text}\"}}\n"));

        Assert.Equal(millis, r.Spec.Pitr!.CutoffMillis);
        var canonical = ResourceYaml.Serialize(r);
        Assert.Equal(r, Single(canonical));
        Assert.Contains(Timestamps.Format(r.Spec.Pitr.Timestamp!.Value), canonical, StringComparison.Ordinal);
        Assert.Equal(r.Spec.Pitr.Timestamp.Value.Offset,
            DateTimeOffset.Parse(Timestamps.Format(r.Spec.Pitr.Timestamp.Value), CultureInfo.InvariantCulture).Offset);
    }

    [Fact]
    public void Documents_that_are_not_resources_are_skipped_silently()
    {
        var text = """
            # only a comment
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cm}
            data: {a: "1"}
            ---
            - a list
            - at the root
            ---
            just a scalar
            ---
            ---
            kind: Deployment
            spec: {replicas: 3}
            ---
            apiVersion: apps/v1
            kind: KafkaRestore
            broken: [this does not parse as YAML
            ---

            """ + Minimal;

        var result = ResourceLoader.LoadText("mixed.yaml", text);

        Assert.Empty(result.Diagnostics);
        Assert.Equal("KafkaRestore default/minimal", Assert.Single(result.Resources).Resource.Id.ToString());
        Assert.Equal((21, 1), (result.Resources[0].Line, result.Resources[0].Column));
    }

    [Fact]
    public void Our_kind_without_apiVersion_is_ignored_with_a_warning()
    {
        var result = ResourceLoader.LoadText("t.yaml", Minimal.Replace("apiVersion: kafka.oso.sh/v1alpha1\n", "", StringComparison.Ordinal));

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Warning, DiagnosticCodes.IgnoredDocument, 1, 1), (d.Severity, d.Code, d.Line, d.Column));
        Assert.Empty(result.Resources);
        Assert.False(result.HasErrors);
    }

    [Fact]
    public void Resources_nested_in_a_kubectl_List_or_a_sequence_are_ignored_with_a_warning_that_counts_them()
    {
        var item = Minimal.Replace("\n", "\n    ", StringComparison.Ordinal).TrimEnd();
        var text = "apiVersion: v1\nkind: List\nitems:\n  - " + item + "\n  - " + item.Replace("name: minimal", "name: other", StringComparison.Ordinal) +
            "\n---\n- " + Minimal.Replace("\n", "\n  ", StringComparison.Ordinal).TrimEnd() +
            "\n---\napiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n";

        var result = ResourceLoader.LoadText("list.yaml", text);

        Assert.Empty(result.Resources);
        Assert.False(result.HasErrors);
        Assert.Equal(2, result.Diagnostics.Count);
        Assert.All(result.Diagnostics, d => Assert.Equal((DiagnosticSeverity.Warning, DiagnosticCodes.IgnoredDocument), (d.Severity, d.Code)));
        Assert.Equal((1, 1), (result.Diagnostics[0].Line, result.Diagnostics[0].Column));
        Assert.Contains("holds 2 kafka.oso.sh/v1alpha1 resource(s) nested inside a List", result.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Contains("holds 1 kafka.oso.sh/v1alpha1 resource(s) nested inside a sequence", result.Diagnostics[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnostics_of_an_invalid_resource_carry_its_identity_unless_its_name_is_unusable()
    {
        var invalid = ResourceLoader.LoadText("t.yaml", Minimal.Replace("name: minimal", "name: minimal\n  namespace: ops", StringComparison.Ordinal)
            .Replace("backupId: b-1", "backupId: \"\"", StringComparison.Ordinal));
        var badName = ResourceLoader.LoadText("t.yaml", Minimal.Replace("name: minimal", "name: Minimal", StringComparison.Ordinal)
            .Replace("backupId: b-1", "backupId: \"\"", StringComparison.Ordinal));

        Assert.All(invalid.Diagnostics, d => Assert.Equal(new ResourceId("KafkaRestore", "ops", "minimal"), d.Resource));
        Assert.StartsWith("t.yaml:7:13: error: RequiredField: spec.backupId must not be empty", invalid.Diagnostics.Single().ToString(),
            StringComparison.Ordinal);
        Assert.Equal(2, badName.Diagnostics.Count);
        Assert.All(badName.Diagnostics, d => Assert.Null(d.Resource));
    }

    [Fact]
    public void Snake_case_and_case_slips_get_a_did_you_mean_hint()
    {
        var result = ResourceLoader.LoadText("t.yaml", Minimal + "  include_original_offset_header: true\n  TOPICS: [a]\n  tpoics: [b]\n");

        Assert.Equal(
            ["did you mean \"includeOriginalOffsetHeader\"?", "did you mean \"topics\"?", "did you mean \"topics\"?"],
            result.Diagnostics.Select(d => d.Message[(d.Message.IndexOf("did you", StringComparison.Ordinal))..]));
    }

    [Fact]
    public void Directory_trees_load_in_sorted_order_skipping_status_snapshots_hidden_and_other_files()
    {
        using var dir = new TempDir();
        void Write(string rel, string name)
        {
            var path = dir.Combine(rel.Split('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, Minimal.Replace("name: minimal", "name: " + name, StringComparison.Ordinal));
        }
        Write("zeta/b.yml", "from-yml");
        Write("alpha/a.yaml", "from-alpha");
        Write("alpha/UPPER.YAML", "from-upper");
        Write("top.yaml", "from-top");
        Write("status/kafkarestore/default/x.yaml", "from-status");
        Write("snapshots/s.yaml", "from-snapshots");
        Write(".git/hooks/h.yaml", "from-git");
        Write("nested/status/kept.yaml", "from-nested-status");
        Write("notes.txt", "from-txt");

        var result = ResourceLoader.LoadPaths([dir.Path, dir.Combine("top.yaml")]);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(5, result.FileCount);
        Assert.Equal(["from-upper", "from-alpha", "from-nested-status", "from-top", "from-yml"],
            result.Resources.Select(r => r.Resource.Metadata.Name));
        Assert.Equal(dir.Combine("alpha", "UPPER.YAML"), result.Resources[0].File);

        var withStatus = ResourceLoader.LoadPaths([dir.Path], new ResourceLoadOptions([]));
        Assert.Equal(7, withStatus.FileCount);
    }

    [Fact]
    public void Symlinked_and_binary_files_in_a_tree_are_refused_as_the_daemon_refuses_them()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("good.yaml"), Minimal);
        File.CreateSymbolicLink(dir.Combine("link.yaml"), dir.Combine("good.yaml"));
        File.WriteAllBytes(dir.Combine("binary.yml"), [.. "apiVersion: kafka.oso.sh/v1alpha1\n"u8, 0, 1, 2]);

        var result = ResourceLoader.LoadPaths([dir.Path]);

        Assert.Equal(
            [(dir.Combine("link.yaml"), DiagnosticCodes.SymlinkNotFollowed), (dir.Combine("binary.yml"), DiagnosticCodes.BinaryFile)],
            result.Diagnostics.Select(d => (d.File, d.Code)));
        Assert.All(result.Diagnostics, d => Assert.Equal((1, 1, true, null), (d.Line, d.Column, d.IsError, d.Resource)));
        Assert.Equal(dir.Combine("good.yaml"), Assert.Single(result.Resources).File);

        // A link named on the command line is what the user asked for: it is read.
        var named = ResourceLoader.LoadPaths([dir.Combine("link.yaml")]);
        Assert.Empty(named.Diagnostics);
        Assert.Single(named.Resources);
    }

    [Fact]
    public void Every_diagnostic_code_is_its_own_CamelCase_name_and_has_a_row_in_the_docs()
    {
        var docs = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "resources.md"));
        var codes = typeof(DiagnosticCodes).GetFields().Where(f => f.IsLiteral).ToList();

        Assert.True(codes.Count >= 40, $"{codes.Count} codes");
        Assert.All(codes, f =>
        {
            var code = (string)f.GetRawConstantValue()!;
            Assert.Equal(f.Name, code);
            Assert.Matches("^[A-Z][a-zA-Z0-9]+$", code);
            Assert.Contains($"| `{code}`", docs, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_missing_path_is_a_PathNotFound_error()
    {
        using var dir = new TempDir();
        var missing = dir.Combine("nope");

        var result = ResourceLoader.LoadPaths([missing]);

        Assert.Equal($"{missing}:1:1: error: PathNotFound: no such file or directory", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void The_same_identity_in_two_files_is_reported_in_both_and_neither_is_returned()
    {
        var copy = Minimal.Replace("b-1", "b-2", StringComparison.Ordinal);
        var otherNamespace = Minimal.Replace("name: minimal", "name: minimal\n  namespace: ops", StringComparison.Ordinal);
        var otherKind = """
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaOffsetRollback
            metadata: {name: minimal}
            spec: {kafkaCluster: {bootstrapServers: [k:9092]}, operation: rollback, snapshotId: s}
            """;

        var result = ResourceLoader.Combine([
            ResourceLoader.ParseFile("a.yaml", Minimal),
            ResourceLoader.ParseFile("b.yaml", "# leading comment\n" + copy + "---\n" + otherNamespace),
            ResourceLoader.ParseFile("c.yaml", otherKind),
        ]);

        Assert.Equal(
            ["a.yaml:1:1: error: DuplicateIdentity: KafkaRestore default/minimal is also defined at b.yaml:2:1; none of them is used until each has its own metadata.name (or metadata.namespace)",
             "b.yaml:2:1: error: DuplicateIdentity: KafkaRestore default/minimal is also defined at a.yaml:1:1; none of them is used until each has its own metadata.name (or metadata.namespace)"],
            result.Diagnostics.Select(d => d.ToString()));
        Assert.All(result.Diagnostics, d => Assert.Equal(new ResourceId("KafkaRestore", "default", "minimal"), d.Resource));
        Assert.Equal(["KafkaRestore ops/minimal", "KafkaOffsetRollback default/minimal"], result.Resources.Select(r => r.Resource.Id.ToString()));
    }

    [Theory]
    [InlineData("KafkaRestorE", " (kinds are case-sensitive)")]
    [InlineData("kafkarestore", " (kinds are case-sensitive)")]
    [InlineData("Kafkarestore", " (kinds are case-sensitive)")]
    [InlineData("KafkaRestor", "")]
    public void A_near_miss_of_a_kind_gets_a_did_you_mean_and_no_identity_so_it_cannot_touch_the_real_resource(string kind, string caseNote)
    {
        var nearMiss = Minimal.Replace("kind: KafkaRestore", "kind: " + kind, StringComparison.Ordinal);
        // Cut off mid-document: what was read must not give it an identity either.
        var broken = nearMiss.Replace("name: minimal", "name: minimal\n  labels: {a: [", StringComparison.Ordinal);

        var result = ResourceLoader.Combine([
            ResourceLoader.ParseFile("real.yaml", Minimal),
            ResourceLoader.ParseFile("typo.yaml", nearMiss),
            ResourceLoader.ParseFile("broken.yaml", broken),
        ]);

        Assert.Equal(
            $"typo.yaml:2:7: error: UnknownKind: kind \"{kind}\" is not one of KafkaRestore, KafkaOffsetReset, KafkaOffsetRollback under kafka.oso.sh/v1alpha1; " +
            $"did you mean \"KafkaRestore\"?{caseNote}; the document is not executed and gets no status file until its kind is fixed",
            Assert.Single(result.Diagnostics, d => d.File == "typo.yaml").ToString());
        Assert.Contains(result.Diagnostics, d => d.File == "broken.yaml" && d.Code == DiagnosticCodes.YamlSyntax);
        Assert.All(result.Diagnostics, d => Assert.Null(d.Resource));
        // Positive control: the real resource of the same name is loaded, not reported as a duplicate.
        Assert.Equal("KafkaRestore default/minimal", Assert.Single(result.Resources).Resource.Id.ToString());
        var desired = DesiredStateLoader.Build("c1", result);
        Assert.Equal([new ResourceId("KafkaRestore", "default", "minimal")], desired.Resources.Keys);
        Assert.Equal(2, desired.FileErrors.Count);
    }

    [Fact]
    public void An_invalid_duplicate_still_blocks_the_valid_one()
    {
        var result = ResourceLoader.Combine([
            ResourceLoader.ParseFile("a.yaml", Minimal),
            ResourceLoader.ParseFile("b.yaml", Minimal.Replace("backupId: b-1", "backupId: a/b", StringComparison.Ordinal)),
        ]);

        Assert.Equal(["DuplicateIdentity", "DuplicateIdentity", "InvalidBackupId"], result.Diagnostics.Select(d => d.Code).Order());
        Assert.Empty(result.Resources);
    }

    [Fact]
    public void Parsed_files_can_be_cached_and_combined_again()
    {
        var a = ResourceLoader.ParseFile("a.yaml", Minimal);
        var b = ResourceLoader.ParseFile("b.yaml", Minimal.Replace("name: minimal", "name: second", StringComparison.Ordinal));

        var first = ResourceLoader.Combine([a, b]);
        var again = ResourceLoader.Combine([a, b]);
        var alone = ResourceLoader.Combine([b]);

        Assert.Equal(first.Resources, again.Resources);
        Assert.Equal(2, first.Resources.Count);
        Assert.Equal("second", Assert.Single(alone.Resources).Resource.Metadata.Name);
    }

    [Fact]
    public void Positions_are_right_with_crlf_line_endings()
    {
        var result = ResourceLoader.LoadText("t.yaml", (Minimal + "  bogus: 1\n").Replace("\n", "\r\n", StringComparison.Ordinal));

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((12, 3, DiagnosticCodes.UnknownField), (d.Line, d.Column, d.Code));
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
