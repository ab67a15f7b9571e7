using System.Net.Sockets;
using Confluent.Kafka;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Security;

/// <summary>
/// The fake broker the trust-boundary tests rely on: a real librdkafka client configured with
/// SASL_PLAINTEXT/PLAIN hands it the password, so "0 bytes of the password received" elsewhere
/// means the daemon sent none, not that the recorder missed them.
/// </summary>
public sealed class RecordingKafkaBrokerTests
{
    [Fact]
    public async Task A_librdkafka_client_with_sasl_plain_sends_its_username_and_password_to_it()
    {
        using var broker = new RecordingKafkaBroker(TimeSpan.FromMinutes(1));
        var username = $"planted-user-{Guid.NewGuid():N}";
        var password = $"planted-password-{Guid.NewGuid():N}";
        using (var admin = new AdminClientBuilder(new AdminClientConfig
        {
            BootstrapServers = broker.BootstrapServers,
            SecurityProtocol = SecurityProtocol.SaslPlaintext,
            SaslMechanism = SaslMechanism.Plain,
            SaslUsername = username,
            SaslPassword = password,
            SocketTimeoutMs = 5000,
        }).SetLogHandler((_, _) => { }).Build())
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            _ = Task.Run(() =>
            {
                try { admin.GetMetadata(TimeSpan.FromSeconds(5)); }
                catch (KafkaException) { }
            });
            while (!broker.HasReceived(password) && DateTime.UtcNow < deadline) await Task.Delay(100);
        }

        Assert.True(broker.HasReceived(password), $"the password never arrived; {broker.Received().Length} bytes over {broker.Connections} connections");
        Assert.True(broker.HasReceived(username));
        Assert.True(broker.SaslAuthenticates >= 1);
        // PLAIN's token is authzid NUL username NUL password: the recorder keeps the bytes exactly.
        Assert.True(broker.HasReceived($"\0{username}\0{password}"));
    }

    [Fact]
    public async Task It_listens_on_loopback_only_and_refuses_connections_once_disposed_or_past_its_lifetime()
    {
        int port;
        using (var broker = new RecordingKafkaBroker(TimeSpan.FromMinutes(1)))
        {
            port = broker.Port;
            Assert.StartsWith("127.0.0.1:", broker.BootstrapServers, StringComparison.Ordinal);
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            // A 12-byte frame of no known request: recorded whole, then the connection is closed.
            await client.GetStream().WriteAsync("\0\0\0\u000chello-world!"u8.ToArray());
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!broker.HasReceived("hello-world!") && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.True(broker.HasReceived("hello-world!"));
        }
        await Assert.ThrowsAnyAsync<SocketException>(async () =>
        {
            using var late = new TcpClient();
            await late.ConnectAsync("127.0.0.1", port);
        });

        using var shortLived = new RecordingKafkaBroker(TimeSpan.FromMilliseconds(300));
        await Task.Delay(1000);
        await Assert.ThrowsAnyAsync<SocketException>(async () =>
        {
            using var late = new TcpClient();
            await late.ConnectAsync("127.0.0.1", shortLived.Port);
        });
    }
}
