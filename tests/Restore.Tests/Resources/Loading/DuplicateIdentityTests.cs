using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using static KafkaRestored.Restore.Tests.Resources.ResourceSamples;

namespace KafkaRestored.Restore.Tests.Resources.Loading;

/// <summary>The same identity in several files, and parsed files combined again.</summary>
public class DuplicateIdentityTests
{
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
}
