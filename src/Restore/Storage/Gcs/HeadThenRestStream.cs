namespace KafkaRestored.Restore.Storage.Gcs;

/// <summary>A forward-only stream of bytes already read into <paramref name="head"/> followed by the rest of <paramref name="rest"/>; its position counts what was handed out.</summary>
internal sealed class HeadThenRestStream(byte[] head, Stream rest) : ReadOnlyForwardStream
{
    private long _position;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        if (_position < head.Length)
        {
            n = Math.Min(buffer.Length, head.Length - (int)_position);
            head.AsMemory((int)_position, n).CopyTo(buffer);
        }
        else
        {
            n = await rest.ReadAsync(buffer, cancellationToken);
        }
        _position += n;
        return n;
    }

    public override int Read(Span<byte> buffer) => ReadByWaitingForAsync(buffer);

    protected override long BytesDelivered => _position;
}
