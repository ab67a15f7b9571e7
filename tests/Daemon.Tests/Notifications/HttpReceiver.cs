using System.Collections.Specialized;
using System.Net;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Notifications;

/// <summary>
/// A local HTTP server standing in for a notification receiver (a webhook endpoint, Slack): keeps
/// every request and answers with the status <c>answer</c> gives for the request's index, or never
/// answers when it gives null (a receiver that hangs).
/// </summary>
internal sealed class HttpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<int, HttpStatusCode?> _answer;
    private readonly List<Request> _requests = [];
    private readonly List<HttpListenerContext> _held = [];
    private readonly Task _loop;

    public HttpReceiver(Func<int, HttpStatusCode?>? answer = null, string path = "/")
    {
        _answer = answer ?? (_ => HttpStatusCode.OK);
        Port = DaemonProcess.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{Port}{path}");
        _loop = Task.Run(() => HttpListenerLoop.RunAsync(_listener, ServeAsync));
    }

    public int Port { get; }

    public Uri Url { get; }

    public IReadOnlyList<Request> Requests
    {
        get
        {
            lock (_requests) return [.. _requests];
        }
    }

    /// <summary>Waits (polling, generous timeout) until at least <paramref name="count"/> requests arrived; returns them.</summary>
    public async Task<IReadOnlyList<Request>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (Requests.Count < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the receiver on port {Port} got {Requests.Count} request(s), not {count}");
            await Task.Delay(20);
        }
        return Requests;
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        int index;
        lock (_requests)
        {
            index = _requests.Count;
            _requests.Add(new Request(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, new NameValueCollection(context.Request.Headers), body.ToArray()));
        }
        if (_answer(index) is not { } status)
        {
            lock (_held) _held.Add(context); // never answered
            return;
        }
        context.Response.StatusCode = (int)status;
        context.Response.Close();
    }

    public void Dispose()
    {
        _listener.Abort();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    public sealed record Request(string Method, string Path, NameValueCollection Headers, byte[] Body);
}
