using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace KafkaRestored.Restore.Workflows;

/// <summary>
/// The count and content checksum of one partition's records in offset order: SHA-256 over each
/// record's timestamp, key, value and headers (in order), nulls told from empty values. A drill
/// computes one from the backup and one from what it reads back, and compares them.
/// </summary>
public sealed class DrillChecksum : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _number = new byte[8];
    private string? _final;

    /// <summary>Records added.</summary>
    public long Count { get; private set; }

    /// <summary>The largest record timestamp added (epoch milliseconds); null before the first record.</summary>
    public long? NewestTimestamp { get; private set; }

    /// <summary>Adds the next record.</summary>
    public void Add(long timestamp, byte[]? key, byte[]? value, IEnumerable<(string Key, byte[]? Value)> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (_final is not null) throw new InvalidOperationException("the checksum was already read");
        Number(timestamp);
        Bytes(key);
        Bytes(value);
        var list = headers as IReadOnlyCollection<(string, byte[]?)> ?? [.. headers];
        Number(list.Count);
        foreach (var (k, v) in list)
        {
            Bytes(Encoding.UTF8.GetBytes(k));
            Bytes(v);
        }
        Count++;
        if (NewestTimestamp is not { } newest || timestamp > newest) NewestTimestamp = timestamp;
    }

    /// <summary>The checksum as lower-case hex (the hash is final once read).</summary>
    public string Hex => _final ??= Convert.ToHexStringLower(_hash.GetHashAndReset());

    private void Number(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_number, value);
        _hash.AppendData(_number);
    }

    private void Bytes(byte[]? data)
    {
        // A length of -1 marks null, so a null value and an empty one differ.
        Number(data?.Length ?? -1);
        if (data is not null) _hash.AppendData(data);
    }

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();
}
