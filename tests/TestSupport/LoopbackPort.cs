using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KafkaRestored.TestSupport;

/// <summary>Waits for a server the tests started (s3rver, Azurite, stunnel, lighttpd, sshd) to accept connections on loopback.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// Returns once 127.0.0.1:<paramref name="port"/> accepts a connection. Throws naming <paramref name="what"/>, the
    /// port and what <paramref name="output"/> holds when <paramref name="process"/> exits first or <paramref name="timeout"/> passes.
    /// </summary>
    public static void WaitUntilListening(Process process, int port, string what, TimeSpan timeout, Func<string>? output = null)
    {
        ArgumentNullException.ThrowIfNull(process);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException e)
            {
                var log = output is null ? "" : "\n" + output();
                if (process.HasExited)
                    throw new InvalidOperationException($"{what} exited with code {process.ExitCode} before listening on 127.0.0.1:{port}{log}", e);
                if (DateTime.UtcNow > deadline)
                    throw new InvalidOperationException($"{what} did not listen on 127.0.0.1:{port} within {timeout}: {e.Message}{log}", e);
                Thread.Sleep(100);
            }
        }
    }
}
