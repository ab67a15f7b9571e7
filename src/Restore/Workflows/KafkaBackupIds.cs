using System.Globalization;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Workflows;

/// <summary>
/// The backup ids a KafkaBackup writes: <c>&lt;metadata.name&gt;-&lt;slot in UTC, yyyyMMdd-HHmmss&gt;</c>, e.g.
/// <c>orders-nightly-20261207-020000</c>. One id per schedule slot, so a retried or resumed run of a slot writes the same id.
/// </summary>
public static class KafkaBackupIds
{
    private const string SlotFormat = "yyyyMMdd-HHmmss";

    /// <summary>The id of <paramref name="backup"/>'s run for <paramref name="slot"/>.</summary>
    public static string For(KafkaBackup backup, DateTimeOffset slot) =>
        $"{backup.Metadata.Name}-{slot.UtcDateTime.ToString(SlotFormat, CultureInfo.InvariantCulture)}";

    /// <summary>The prefix every id of <paramref name="backup"/> starts with.</summary>
    public static string Prefix(KafkaBackup backup) => backup.Metadata.Name + "-";

    /// <summary>The slot of <paramref name="backupId"/> when it has <paramref name="backup"/>'s pattern exactly; null otherwise.</summary>
    public static DateTimeOffset? SlotOf(KafkaBackup backup, string backupId)
    {
        var prefix = Prefix(backup);
        if (!backupId.StartsWith(prefix, StringComparison.Ordinal) || backupId.Length != prefix.Length + SlotFormat.Length) return null;
        return DateTime.TryParseExact(backupId[prefix.Length..], SlotFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? new DateTimeOffset(t, TimeSpan.Zero)
            : null;
    }
}
