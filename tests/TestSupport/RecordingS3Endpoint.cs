using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KafkaRestored.TestSupport;

/// <summary>
/// A committer's fake S3 endpoint on loopback: plain HTTP/1.1 on a raw socket, so every request
/// line, header and body byte is recorded as sent; every request is answered with an S3-style XML
/// error (403 AccessDenied or 404 NoSuchKey). It stops itself after <c>lifetime</c> and on dispose.
/// </summary>
public sealed class RecordingS3Endpoint : IDisposable
{
    private const int MaxHead = 64 * 1024;
    private const int MaxBody = 16 * 1024 * 1024;

    private readonly List<string> _requestLines = [];
    private readonly LoopbackRecorder _recorder;
    private readonly int _status;

    /// <summary>Starts listening on a free loopback port; <paramref name="status"/> is 403 or 404; stops itself after <paramref name="lifetime"/> (default 5 minutes).</summary>
    public RecordingS3Endpoint(int status = 403, TimeSpan? lifetime = null)
    {
        if (status is not (403 or 404)) throw new ArgumentOutOfRangeException(nameof(status), status, "403 or 404");
        _status = status;
        _recorder = new LoopbackRecorder(ServeAsync, lifetime);
    }

    /// <summary>The loopback port listened on.</summary>
    public int Port => _recorder.Port;

    /// <summary><c>http://127.0.0.1:PORT</c>, as an <c>s3.endpoint</c>.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Request lines (<c>GET /bucket/key HTTP/1.1</c>) received so far.</summary>
    public IReadOnlyList<string> RequestLines
    {
        get
        {
            lock (_requestLines) return [.. _requestLines];
        }
    }

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
                var reader = new RecordingReader(client.GetStream(), this);
                while (!ct.IsCancellationRequested)
                {
                    var head = await reader.ReadHeadAsync(ct);
                    if (head is null) return;
                    var lines = head.Split("\r\n");
                    lock (_requestLines) _requestLines.Add(lines[0]);
                    var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                        .ToLookup(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
                    if (headers["Expect"].Any(v => v.Equals("100-continue", StringComparison.OrdinalIgnoreCase)))
                        await client.GetStream().WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), ct);
                    if (headers["Transfer-Encoding"].Any(v => v.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
                    {
                        if (!await reader.ReadChunkedBodyAsync(ct)) return;
                    }
                    else if (long.TryParse(headers["Content-Length"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length > 0)
                    {
                        if (length > MaxBody || !await reader.ReadBodyAsync((int)length, ct)) return;
                    }
                    var isHead = lines[0].StartsWith("HEAD ", StringComparison.Ordinal);
                    await client.GetStream().WriteAsync(Answer(lines[0], isHead), ct);
                    if (headers["Connection"].Any(v => v.Equals("close", StringComparison.OrdinalIgnoreCase))) return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or FormatException or OverflowException or ArgumentException)
        {
            // A client hanging up, a malformed request or the endpoint stopping ends the connection; what arrived is recorded.
        }
    }

    private byte[] Answer(string requestLine, bool isHead)
    {
        var path = requestLine.Split(' ') is { Length: >= 2 } parts ? parts[1] : "/";
        var (code, message, reason) = _status == 403
            ? ("AccessDenied", "Access Denied", "Forbidden")
            : ("NoSuchKey", "The specified key does not exist.", "Not Found");
        var requestId = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        var body = Encoding.UTF8.GetBytes(
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>" +
            $"<Resource>{WebUtility.HtmlEncode(path)}</Resource><RequestId>{requestId}</RequestId></Error>");
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {_status} {reason}\r\nContent-Type: application/xml\r\nContent-Length: {body.Length}\r\n" +
            $"x-amz-request-id: {requestId}\r\nDate: {DateTime.UtcNow:R}\r\nServer: AmazonS3\r\n\r\n");
        return isHead ? head : [.. head, .. body];
    }

    /// <summary>Reads an HTTP request off a stream, recording every byte it takes.</summary>
    private sealed class RecordingReader(NetworkStream stream, RecordingS3Endpoint owner)
    {
        private readonly byte[] _buffer = new byte[8192];
        private int _start;
        private int _end;

        /// <summary>The request line and headers (without the blank line); null at end of stream or when too long.</summary>
        public async Task<string?> ReadHeadAsync(CancellationToken ct)
        {
            var head = new List<byte>();
            while (head.Count < MaxHead)
            {
                if (_start == _end && !await FillAsync(ct)) return null;
                head.Add(_buffer[_start++]);
                if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
                    return Encoding.Latin1.GetString([.. head.Take(head.Count - 4)]);
            }
            return null;
        }

        public async Task<bool> ReadBodyAsync(int length, CancellationToken ct)
        {
            while (length > 0)
            {
                if (_start == _end && !await FillAsync(ct)) return false;
                var n = Math.Min(length, _end - _start);
                _start += n;
                length -= n;
            }
            return true;
        }

        public async Task<bool> ReadChunkedBodyAsync(CancellationToken ct)
        {
            while (true)
            {
                var sizeLine = await ReadLineAsync(ct);
                if (sizeLine is null) return false;
                var size = int.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size is < 0 or > MaxBody) return false;
                if (size == 0)
                {
                    // Trailers until a blank line.
                    while (await ReadLineAsync(ct) is { Length: > 0 }) { }
                    return true;
                }
                if (!await ReadBodyAsync(size + 2, ct)) return false;
            }
        }

        private async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            var line = new List<byte>();
            while (line.Count < MaxHead)
            {
                if (_start == _end && !await FillAsync(ct)) return null;
                line.Add(_buffer[_start++]);
                if (line.Count >= 2 && line[^2] == '\r' && line[^1] == '\n') return Encoding.Latin1.GetString([.. line.Take(line.Count - 2)]);
            }
            return null;
        }

        private async Task<bool> FillAsync(CancellationToken ct)
        {
            var n = await stream.ReadAsync(_buffer, ct);
            if (n == 0) return false;
            owner._recorder.Record(_buffer.AsSpan(0, n));
            (_start, _end) = (0, n);
            return true;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _recorder.Dispose();
}
