using System.Collections.Concurrent;
using System.Net;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Storage;

/// <summary>
/// An HTTP proxy on loopback in front of s3rver (or Azurite) that answers chosen requests with an
/// error (503 SlowDown or ServerBusy, 500 InternalError...) instead of forwarding them, and logs
/// every request it gets, so tests can count how often the product asked for a key. The error is
/// an XML body both S3 and Azure clients parse, with Azure's x-ms-error-code header too. It can
/// also cut an answer's body short, as a dropped connection would.
/// </summary>
internal sealed class S3FaultProxy : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly string _target;
    private readonly ConcurrentQueue<(Func<HttpListenerRequest, bool> When, int Status, string Code)> _faults = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<(Func<HttpListenerRequest, bool> When, long Bytes)> _cuts = new();
    private readonly Task _loop;

    public S3FaultProxy(string targetEndpoint)
    {
        _target = targetEndpoint.TrimEnd('/');
        Port = S3rverFixture.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>"METHOD /path?query" of every request received, faults included, in arrival order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Answers the next <paramref name="times"/> requests matching <paramref name="when"/> (any, if null) with this error.</summary>
    public void Fail(int times, HttpStatusCode status, string code, Func<HttpListenerRequest, bool>? when = null)
    {
        for (var i = 0; i < times; i++) _faults.Enqueue((when ?? (_ => true), (int)status, code));
    }

    /// <summary>Forwards the next <paramref name="times"/> requests matching <paramref name="when"/> but drops the connection after <paramref name="bytes"/> bytes of the answer's body.</summary>
    public void Cut(int times, long bytes, Func<HttpListenerRequest, bool> when)
    {
        for (var i = 0; i < times; i++) _cuts.Enqueue((when, bytes));
    }

    /// <summary>Requests received for <paramref name="method"/> on a path ending with <paramref name="keySuffix"/>.</summary>
    public int Count(string method, string keySuffix) =>
        _requests.Count(r => r.StartsWith(method + " ", StringComparison.Ordinal) && r.Split('?')[0].EndsWith(keySuffix, StringComparison.Ordinal));

    private Task AcceptAsync() => HttpListenerLoop.RunAsync(_listener, context =>
    {
        _ = Task.Run(() => HandleAsync(context));
        return Task.CompletedTask;
    });

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            _requests.Enqueue($"{request.HttpMethod} {request.RawUrl}");
            var body = new MemoryStream();
            await request.InputStream.CopyToAsync(body);
            if (TakeFault(request) is { } fault)
            {
                var xml = System.Text.Encoding.UTF8.GetBytes(
                    $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{fault.Code}</Code><Message>injected by the test proxy</Message><RequestId>proxy</RequestId></Error>");
                response.StatusCode = fault.Status;
                response.ContentType = "application/xml";
                response.AddHeader("x-ms-error-code", fault.Code);
                response.ContentLength64 = xml.Length;
                await response.OutputStream.WriteAsync(xml);
                response.Close();
                return;
            }
            using var forward = new HttpRequestMessage(new HttpMethod(request.HttpMethod), _target + request.RawUrl);
            var content = new ByteArrayContent(body.ToArray());
            foreach (var name in request.Headers.AllKeys)
            {
                if (name is null || name.Equals("Expect", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    continue;
                var value = request.Headers[name]!;
                // The signature covers the Host header: forward it unchanged.
                if (!forward.Headers.TryAddWithoutValidation(name, value)) content.Headers.TryAddWithoutValidation(name, value);
            }
            if (body.Length > 0 || request.HttpMethod is "PUT" or "POST") forward.Content = content;
            using var answer = await _upstream.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode = (int)answer.StatusCode;
            foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
            {
                if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase))
                    continue;
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    response.ContentLength64 = long.Parse(values.First(), System.Globalization.CultureInfo.InvariantCulture);
                    continue;
                }
                foreach (var v in values) response.AddHeader(name, v);
            }
            if (TakeCut(request) is { } cut)
            {
                var full = await answer.Content.ReadAsByteArrayAsync();
                await response.OutputStream.WriteAsync(full.AsMemory(0, (int)Math.Min(cut, full.Length)));
                await response.OutputStream.FlushAsync();
                response.Abort();
                return;
            }
            if (request.HttpMethod != "HEAD") await answer.Content.CopyToAsync(response.OutputStream);
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or HttpRequestException or ObjectDisposedException)
        {
            response.Abort();
        }
    }

    private (int Status, string Code)? TakeFault(HttpListenerRequest request)
    {
        // Faults are few and tests set them up before the calls: a linear scan in queue order is enough.
        lock (_faults)
        {
            var kept = new List<(Func<HttpListenerRequest, bool>, int, string)>();
            (int, string)? taken = null;
            while (_faults.TryDequeue(out var f))
            {
                if (taken is null && f.When(request)) taken = (f.Status, f.Code);
                else kept.Add(f);
            }
            foreach (var f in kept) _faults.Enqueue(f);
            return taken;
        }
    }

    private long? TakeCut(HttpListenerRequest request)
    {
        lock (_cuts)
        {
            var kept = new List<(Func<HttpListenerRequest, bool>, long)>();
            long? taken = null;
            while (_cuts.TryDequeue(out var c))
            {
                if (taken is null && c.When(request)) taken = c.Bytes;
                else kept.Add(c);
            }
            foreach (var c in kept) _cuts.Enqueue(c);
            return taken;
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _upstream.Dispose();
    }
}
