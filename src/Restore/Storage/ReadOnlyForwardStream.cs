namespace KafkaRestored.Restore.Storage;

/// <summary>
/// Base of the read-once, forward-only streams the backup reader chains (S3 object body, footer
/// holdback, LZ4 block decoder): everything but reading throws or answers "no".
/// </summary>
internal abstract class ReadOnlyForwardStream : Stream
{
    /// <summary>Bytes handed to the reader so far (the stream's position).</summary>
    protected abstract long BytesDelivered { get; }

    /// <inheritdoc />
    public abstract override int Read(Span<byte> buffer);

    /// <inheritdoc />
    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>A synchronous read served by <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>, for streams whose source is asynchronous (an SDK's response body).</summary>
    protected int ReadByWaitingForAsync(Span<byte> buffer)
    {
        var array = new byte[buffer.Length];
        var n = ReadAsync(array.AsMemory(), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        array.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => BytesDelivered; set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override void Flush() { }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
