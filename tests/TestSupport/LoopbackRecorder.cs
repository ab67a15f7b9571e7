using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KafkaRestored.TestSupport;

/// <summary>
/// The listening half of a committer's fake server: a loopback port, one task per connection running
/// the protocol's <c>serve</c>, every byte received kept in arrival order, and a stop after
/// <c>lifetime</c> or on dispose. <see cref="RecordingKafkaBroker"/> and <see cref="RecordingS3Endpoint"/> speak over it.
/// </summary>
public sealed class LoopbackRecorder : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop;
    private readonly MemoryStream _received = new();
    private readonly List<TcpClient> _clients = [];
    private readonly List<Task> _tasks = [];
    private readonly Func<TcpClient, CancellationToken, Task> _serve;
    private readonly Task _accept;
    private int _connections;

    /// <summary>Starts listening on a free loopback port; each connection runs <paramref name="serve"/>; stops itself after <paramref name="lifetime"/> (default 5 minutes).</summary>
    public LoopbackRecorder(Func<TcpClient, CancellationToken, Task> serve, TimeSpan? lifetime = null)
    {
        _serve = serve;
        _stop = new CancellationTokenSource(lifetime ?? TimeSpan.FromMinutes(5));
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = Task.Run(AcceptAsync);
    }

    /// <summary>The loopback port listened on.</summary>
    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>A copy of every byte received so far, all connections in arrival order.</summary>
    public byte[] Received()
    {
        lock (_received) return _received.ToArray();
    }

    /// <summary>Whether the UTF-8 bytes of <paramref name="text"/> occur in what was received.</summary>
    public bool HasReceived(string text) => Received().AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>Keeps <paramref name="bytes"/> as received; the protocol calls it for every byte it reads.</summary>
    public void Record(ReadOnlySpan<byte> bytes)
    {
        lock (_received) _received.Write(bytes);
    }

    private async Task AcceptAsync()
    {
        var ct = _stop.Token;
        using var stopping = ct.Register(_listener.Stop);
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            lock (_clients)
            {
                _clients.Add(client);
                _tasks.Add(Task.Run(() => _serve(client, ct)));
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        Task[] tasks;
        lock (_clients)
        {
            foreach (var c in _clients) c.Dispose();
            tasks = [_accept, .. _tasks];
        }
        Task.WaitAll(tasks, TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
