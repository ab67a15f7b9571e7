using KafkaRestored.Reconciler.Status;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Tests.Status;

/// <summary>Counts in commit subjects read as English: "1 group", never "1 groups".</summary>
public sealed class CountWordingTests
{
    private static readonly ResourceId Id = new(ResourceKinds.KafkaOffsetRollback, "kafka-backup", "r");

    private static ValueList<string> Groups(int n) => new(Enumerable.Range(1, n).Select(i => $"group-{i}"));

    [Fact]
    public void One_of_a_thing_is_singular_and_two_are_plural_in_every_status_summary()
    {
        string Summary(ResourceStatus s) => new StatusChange(Id, "Running", s).Summary();

        Assert.Equal("Running -> Completed (1 group rolled back)", Summary(new KafkaOffsetRollbackStatus { Phase = ResourcePhase.Completed, GroupsRolledBack = Groups(1) }));
        Assert.Equal("Running -> Completed (2 groups rolled back)", Summary(new KafkaOffsetRollbackStatus { Phase = ResourcePhase.Completed, GroupsRolledBack = Groups(2) }));
        Assert.Equal("Running -> Completed (1 group snapshotted)", Summary(new KafkaOffsetRollbackStatus { Phase = ResourcePhase.Completed, GroupsSnapshotted = Groups(1) }));
        Assert.Equal("Running -> Completed (1 group reset)", Summary(new KafkaOffsetResetStatus { Phase = ResourcePhase.Completed, GroupsReset = Groups(1) }));
        Assert.Equal("Running -> Completed (1 record)", Summary(new KafkaRestoreStatus { Phase = ResourcePhase.Completed, RestoredRecords = 1 }));
        Assert.Equal("Running -> Completed (1,000,000 records)", Summary(new KafkaRestoreStatus { Phase = ResourcePhase.Completed, RestoredRecords = 1_000_000 }));
    }

    [Theory]
    [InlineData(0, "0 topics")]
    [InlineData(1, "1 topic")]
    [InlineData(2, "2 topics")]
    public void Plural_puts_the_noun_in_the_number_the_count_asks_for(long count, string expected)
    {
        Assert.Equal(expected, Plural.Of(count, "topic"));
        Assert.Equal(expected.Replace("topic", "entry", StringComparison.Ordinal).Replace("entrys", "entries", StringComparison.Ordinal), Plural.Of(count, "entry", "entries"));
        Assert.Equal(count == 1 ? "1 record" : $"{count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} records", Plural.Of(count, "record", format: "N0"));
        Assert.Equal("1,234 records", Plural.Of(1234, "record", format: "N0"));
    }
}
