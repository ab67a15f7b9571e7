namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>A record whose length is legal in the format but more than the reader may hold; nothing of it was read.</summary>
internal sealed class RecordOverLimit(long offset, long length, int limit)
    : Exception($"record length {length} is above the {limit}-byte limit")
{
    public long Offset { get; } = offset;

    public long Length { get; } = length;

    public int Limit { get; } = limit;
}
