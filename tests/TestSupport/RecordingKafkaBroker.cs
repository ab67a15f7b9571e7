using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KafkaRestored.TestSupport;

/// <summary>
/// A committer's fake Kafka broker on loopback: it records every byte any client sends and answers
/// just enough of the protocol (ApiVersions v0-v3, SaslHandshake v0-v1 listing PLAIN and SCRAM,
/// SaslAuthenticate v0-v1, always refused) that librdkafka hands it SASL credentials. Any other
/// request closes the connection. It stops itself after <c>lifetime</c> and on dispose.
/// </summary>
public sealed class RecordingKafkaBroker : IDisposable
{
    private const short ApiVersionsKey = 18;
    private const short SaslHandshakeKey = 17;
    private const short SaslAuthenticateKey = 36;
    private const int MaxFrame = 1 << 20;

    // Enough of a real broker's list that a client goes on to authenticate; only three are answered.
    private static readonly (short Key, short Min, short Max)[] Apis =
    [
        (0, 0, 7), (1, 0, 11), (2, 0, 5), (3, 0, 9), (8, 0, 7), (9, 0, 7), (10, 0, 3), (11, 0, 5), (12, 0, 3),
        (13, 0, 3), (14, 0, 3), (15, 0, 4), (16, 0, 3), (SaslHandshakeKey, 0, 1), (ApiVersionsKey, 0, 3),
        (19, 0, 4), (22, 0, 2), (23, 0, 3), (32, 0, 2), (SaslAuthenticateKey, 0, 1), (42, 0, 1), (47, 0, 0),
    ];

    private static readonly string[] Mechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

    private readonly LoopbackRecorder _recorder;
    private int _saslAuthenticates;

    /// <summary>Starts listening on a free loopback port; the broker stops itself after <paramref name="lifetime"/> (default 5 minutes).</summary>
    public RecordingKafkaBroker(TimeSpan? lifetime = null)
    {
        _recorder = new LoopbackRecorder(ServeAsync, lifetime);
    }

    /// <summary>The loopback port listened on.</summary>
    public int Port => _recorder.Port;

    /// <summary><c>127.0.0.1:PORT</c>, as a bootstrapServers entry.</summary>
    public string BootstrapServers => $"127.0.0.1:{Port}";

    /// <summary>Connections accepted so far.</summary>
    public int Connections => _recorder.Connections;

    /// <summary>SaslAuthenticate requests (or SASL v0 raw tokens) received so far.</summary>
    public int SaslAuthenticates => Volatile.Read(ref _saslAuthenticates);

    /// <summary>A copy of every byte received so far, all connections in arrival order.</summary>
    public byte[] Received() => _recorder.Received();

    /// <summary>Whether the UTF-8 bytes of <paramref name="text"/> occur in what was received.</summary>
    public bool HasReceived(string text) => _recorder.HasReceived(text);

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        try
        {
            using (client)
            {
                var stream = client.GetStream();
                var rawSaslTokenNext = false;
                while (!ct.IsCancellationRequested)
                {
                    var size = await ReadExactAsync(stream, 4, ct);
                    if (size is null) return;
                    var length = BinaryPrimitives.ReadInt32BigEndian(size);
                    if (length is < 8 or > MaxFrame) return;
                    var frame = await ReadExactAsync(stream, length, ct);
                    if (frame is null) return;
                    if (rawSaslTokenNext)
                    {
                        // SaslHandshake v0 is followed by the bare token (PLAIN: authzid, user, password); refuse by closing.
                        Interlocked.Increment(ref _saslAuthenticates);
                        return;
                    }
                    var apiKey = BinaryPrimitives.ReadInt16BigEndian(frame);
                    var version = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(2));
                    var correlationId = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4));
                    byte[] answer;
                    switch (apiKey)
                    {
                        case ApiVersionsKey:
                            answer = ApiVersionsResponse(version);
                            break;
                        case SaslHandshakeKey:
                            answer = SaslHandshakeResponse(frame);
                            rawSaslTokenNext = version == 0;
                            break;
                        case SaslAuthenticateKey:
                            Interlocked.Increment(ref _saslAuthenticates);
                            answer = SaslAuthenticateResponse(version);
                            break;
                        default:
                            return;
                    }
                    var response = new byte[8 + answer.Length];
                    BinaryPrimitives.WriteInt32BigEndian(response, 4 + answer.Length);
                    BinaryPrimitives.WriteInt32BigEndian(response.AsSpan(4), correlationId);
                    answer.CopyTo(response, 8);
                    await stream.WriteAsync(response, ct);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or ArgumentException)
        {
            // A client hanging up, a malformed frame or the broker stopping ends the connection; what arrived is recorded.
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, recording each chunk as it arrives; null at end of stream.</summary>
    private async Task<byte[]?> ReadExactAsync(NetworkStream stream, int count, CancellationToken ct)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0) return null;
            _recorder.Record(buffer.AsSpan(read, n));
            read += n;
        }
        return buffer;
    }

    private static byte[] ApiVersionsResponse(short version)
    {
        var body = new MemoryStream();
        // A version above 3 gets UNSUPPORTED_VERSION in the v0 layout, as a real broker answers, and the client retries lower.
        var flexible = version == 3;
        WriteInt16(body, version > 3 ? (short)35 : (short)0);
        if (flexible) WriteUnsignedVarint(body, Apis.Length + 1);
        else WriteInt32(body, Apis.Length);
        foreach (var (key, min, max) in Apis)
        {
            WriteInt16(body, key);
            WriteInt16(body, min);
            WriteInt16(body, max);
            if (flexible) body.WriteByte(0);
        }
        if (version is >= 1 and <= 3) WriteInt32(body, 0);
        if (flexible) body.WriteByte(0);
        return body.ToArray();
    }

    private static byte[] SaslHandshakeResponse(byte[] frame)
    {
        // Request header v1: api key, version, correlation id, client id (int16 length, -1 = null); then the mechanism.
        var clientIdLength = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(8));
        var at = 10 + Math.Max((short)0, clientIdLength);
        var mechanism = at + 2 <= frame.Length
            ? Encoding.UTF8.GetString(frame, at + 2, Math.Clamp(BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(at)), (short)0, (short)(frame.Length - at - 2)))
            : "";
        var body = new MemoryStream();
        WriteInt16(body, Mechanisms.Contains(mechanism) ? (short)0 : (short)33);
        WriteInt32(body, Mechanisms.Length);
        foreach (var m in Mechanisms) WriteString(body, m);
        return body.ToArray();
    }

    private static byte[] SaslAuthenticateResponse(short version)
    {
        var body = new MemoryStream();
        WriteInt16(body, 58); // SASL_AUTHENTICATION_FAILED: the client reconnects and sends its credentials again
        WriteString(body, "Authentication failed: Invalid username or password");
        WriteInt32(body, 0);
        if (version >= 1)
        {
            Span<byte> lifetime = stackalloc byte[8];
            body.Write(lifetime);
        }
        return body.ToArray();
    }

    private static void WriteInt16(Stream s, short value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(b, value);
        s.Write(b);
    }

    private static void WriteInt32(Stream s, int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        s.Write(b);
    }

    private static void WriteString(Stream s, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteInt16(s, (short)bytes.Length);
        s.Write(bytes);
    }

    private static void WriteUnsignedVarint(Stream s, int value)
    {
        var v = (uint)value;
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }

    /// <inheritdoc />
    public void Dispose() => _recorder.Dispose();
}
