using System.Globalization;
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
