using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Offsets;

/// <summary>Snapshot documents (snapshots/&lt;id&gt;.yaml) and the file-backed store.</summary>
public sealed class OffsetSnapshotTests
{
    private static readonly ResourceId Source = new(ResourceKinds.KafkaRestore, "kafka-backup", "production-restore");

    private static OffsetSnapshot Sample(string id = "pre-restore-20241201") => new(
        id,
        new DateTimeOffset(2024, 12, 1, 13, 0, 0, TimeSpan.FromHours(1)),
        Source,
        ["kafka-0:9092", "kafka-1:9092"],
        ["orders", "payments"],
        ["order-processor", "idle-group"],
        [("order-processor", "orders", 1, 40L), ("order-processor", "orders", 0, 42L), ("order-processor", "payments", 10, 7L)]);

    [Fact]
    public void A_snapshot_renders_as_reviewable_yaml_group_topic_partition_offset()
    {
        var yaml = OffsetSnapshotYaml.Render(Sample());

        Assert.StartsWith("# Committed consumer-group offsets recorded by kafka-restored.", yaml);
        Assert.Contains("apiVersion: snapshots.kafka-restored/v1\n", yaml);
        Assert.Contains("kind: OffsetSnapshot\n", yaml);
        Assert.Contains("snapshotId: pre-restore-20241201\n", yaml);
        Assert.Contains("takenAt: 2024-12-01T12:00:00.000Z\n", yaml);
        Assert.Contains("source:\n  kind: KafkaRestore\n  namespace: kafka-backup\n  name: production-restore\n", yaml);
        Assert.Contains("groups:\n  idle-group: {}\n  order-processor:\n    orders:\n      0: 42\n      1: 40\n    payments:\n      10: 7\n", yaml);
        Assert.DoesNotContain("kafka.oso.sh/v1alpha1", yaml);
    }

    [Fact]
    public void A_rendered_snapshot_parses_back_to_the_same_content()
    {
        var original = Sample();
        var parsed = OffsetSnapshotYaml.Parse(OffsetSnapshotYaml.Render(original), "test");

        Assert.Equal(original.Id, parsed.Id);
        Assert.Equal(original.TakenAt, parsed.TakenAt);
        Assert.Equal(original.Source, parsed.Source);
        Assert.Equal(original.BootstrapServers, parsed.BootstrapServers);
        Assert.Equal(original.Topics, parsed.Topics);
        Assert.Equal(original.Groups, parsed.Groups);
        foreach (var g in original.Groups) Assert.Equal(original.OffsetsOf(g), parsed.OffsetsOf(g));
        Assert.Empty(parsed.OffsetsOf("idle-group"));
    }

    [Fact]
    public void A_damaged_snapshot_file_is_an_error_naming_the_file()
    {
        var ex = Assert.Throws<KafkaRestoredException>(() => OffsetSnapshotYaml.Parse("apiVersion: x\nkind: OffsetSnapshot\n", "/s/x.yaml"));
        Assert.Equal("InvalidSnapshot", ex.Reason);
        Assert.Contains("/s/x.yaml", ex.Message);
        var bad = Assert.Throws<KafkaRestoredException>(() => OffsetSnapshotYaml.Parse("groups: [unclosed", "/s/y.yaml"));
        Assert.Equal("InvalidSnapshot", bad.Reason);
        Assert.Contains("line 1", bad.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../etc/passwd")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    public void Ids_that_are_not_plain_file_names_are_refused(string id)
    {
        var ex = Assert.Throws<KafkaRestoredException>(() => Sample(id));
        Assert.Equal("InvalidSnapshotId", ex.Reason);
    }

    [Fact]
    public void The_file_store_saves_gets_and_lists_and_never_reuses_an_id()
    {
        using var dir = new TempDir();
        var store = new FileOffsetSnapshotStore(dir.Combine("snapshots"));
        Assert.Empty(store.List());
        Assert.Null(store.Get("pre-restore-20241201"));

        store.Save(Sample());
        store.Save(Sample("another"));
        var ex = Assert.Throws<KafkaRestoredException>(() => store.Save(Sample()));

        Assert.Equal("SnapshotExists", ex.Reason);
        Assert.Contains("'pre-restore-20241201'", ex.Message);
        Assert.Equal(["another", "pre-restore-20241201"], store.List().Select(s => s.Id));
        Assert.Equal([new PartitionOffset("orders", 0, 42), new PartitionOffset("orders", 1, 40), new PartitionOffset("payments", 10, 7)],
            store.Get("pre-restore-20241201")!.OffsetsOf("order-processor"));
        Assert.Equal(OffsetSnapshotYaml.Render(Sample()), File.ReadAllText(dir.Combine("snapshots", "pre-restore-20241201.yaml")));
        Assert.Equal(2, Directory.GetFiles(dir.Combine("snapshots")).Length);
    }

    [Fact]
    public void The_header_value_reader_accepts_8_byte_little_endian_and_decimal_text()
    {
        Assert.True(TargetPartitionScanner.TryParseOffset(BitConverter.GetBytes(1234567890123L), out var binary));
        Assert.Equal(1234567890123L, binary);
        Assert.True(TargetPartitionScanner.TryParseOffset("42"u8, out var text));
        Assert.Equal(42, text);
        Assert.True(TargetPartitionScanner.TryParseOffset("12345678"u8, out var eightDigits));
        Assert.Equal(12345678, eightDigits);
        Assert.False(TargetPartitionScanner.TryParseOffset("4x"u8, out _));
        Assert.False(TargetPartitionScanner.TryParseOffset([], out _));
        Assert.False(TargetPartitionScanner.TryParseOffset(BitConverter.GetBytes(-5L), out _));
    }
}
