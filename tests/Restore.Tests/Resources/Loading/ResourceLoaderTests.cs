using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Validation;
using KafkaRestored.TestSupport;
using static KafkaRestored.Restore.Tests.Resources.ResourceSamples;

namespace KafkaRestored.Restore.Tests.Resources.Loading;

public class ResourceLoaderTests
{
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
    public void Our_kind_without_apiVersion_is_an_error_and_not_executed()
    {
        var result = ResourceLoader.LoadText("t.yaml", Minimal.Replace("apiVersion: kafka.oso.sh/v1alpha1\n", "", StringComparison.Ordinal));

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Error, DiagnosticCodes.RequiredField, 1, 1), (d.Severity, d.Code, d.Line, d.Column));
        Assert.Contains("add apiVersion: kafka.oso.sh/v1alpha1", d.Message, StringComparison.Ordinal);
        Assert.Null(d.Resource);
        Assert.Empty(result.Resources);
    }

    [Theory]
    [InlineData("kafka.osso.sh/v1alpha1", "")]
    [InlineData("kafka.oso.sh/v1alpah1", "")]
    [InlineData("kafka.oso.sh/v1", "a version of kafka.oso.sh that kafka-restored does not serve")]
    [InlineData("kafka.oso.sh/v1beta1", "a version of kafka.oso.sh that kafka-restored does not serve")]
    [InlineData("KAFKA.OSO.SH/V1ALPHA1", "(apiVersion is case-sensitive)")]
    [InlineData("kafka.oso.io/v1alpha1", "")]
    [InlineData("kafka.oso.sh", "")]
    [InlineData("kafka.oso.sh/v1alpha1 ", "")]
    public void A_near_miss_of_our_apiVersion_is_an_error_with_did_you_mean_and_no_identity(string apiVersion, string detail)
    {
        var result = ResourceLoader.LoadText("t.yaml", Minimal.Replace("apiVersion: kafka.oso.sh/v1alpha1", $"apiVersion: '{apiVersion}'", StringComparison.Ordinal));

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Error, DiagnosticCodes.UnknownApiVersion, 1, 13), (d.Severity, d.Code, d.Line, d.Column));
        Assert.Contains("did you mean \"kafka.oso.sh/v1alpha1\"?", d.Message, StringComparison.Ordinal);
        Assert.Contains(detail, d.Message, StringComparison.Ordinal);
        Assert.Null(d.Resource);
        Assert.Empty(result.Resources);
    }

    [Theory]
    [InlineData("apps/v1", "Deployment")]
    [InlineData("v1", "ConfigMap")]
    [InlineData("kafka.strimzi.io/v1beta2", "KafkaTopic")]
    [InlineData("kafka.banzaicloud.io/v1beta1", "KafkaCluster")]
    [InlineData("kafka.nais.io/v1", "Topic")]
    [InlineData("kustomize.config.k8s.io/v1beta1", "Kustomization")]
    public void Foreign_apiVersions_stay_ignored_without_a_word(string apiVersion, string kind)
    {
        var text = $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata: {{name: x}}\nspec: {{replicas: 3}}\n---\n" + Minimal;

        var result = ResourceLoader.LoadText("t.yaml", text);

        Assert.Empty(result.Diagnostics);
        // Positive control: the loader read the file, our own document in it loads.
        Assert.Equal("KafkaRestore default/minimal", Assert.Single(result.Resources).Resource.Id.ToString());
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
    public void Positions_are_right_with_crlf_line_endings()
    {
        var result = ResourceLoader.LoadText("t.yaml", (Minimal + "  bogus: 1\n").Replace("\n", "\r\n", StringComparison.Ordinal));

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((12, 3, DiagnosticCodes.UnknownField), (d.Line, d.Column, d.Code));
    }
}
