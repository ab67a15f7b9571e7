using System.Buffers.Binary;
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
            var metadata = Task.Run(() =>
            {
                try { admin.GetMetadata(TimeSpan.FromSeconds(5)); }
                catch (KafkaException) { }
            });
            while (!broker.HasReceived(password) && DateTime.UtcNow < deadline) await Task.Delay(100);
            // The client is disposed only once its call has returned.
            await metadata.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.True(broker.HasReceived(password), $"the password never arrived; {broker.Received().Length} bytes over {broker.Connections} connections");
        Assert.True(broker.HasReceived(username));
        Assert.True(broker.SaslAuthenticates >= 1);
        // PLAIN's token is authzid NUL username NUL password: the recorder keeps the bytes exactly.
        Assert.True(broker.HasReceived($"\0{username}\0{password}"));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(4, 35)]
    public async Task ApiVersions_is_answered_in_the_requested_layout_or_with_unsupported_version(short version, short expectedError)
    {
        using var broker = new RecordingKafkaBroker(TimeSpan.FromMinutes(1));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", broker.Port);
        var stream = client.GetStream();
        // Header v1: api key 18, version, correlation id 42, client id "t"; v0-v2 requests have no body.
        byte[] request = [0, 0, 0, 11, 0, 18, 0, (byte)version, 0, 0, 0, 42, 0, 1, (byte)'t'];
        await stream.WriteAsync(request);

        var size = new byte[4];
        await stream.ReadExactlyAsync(size);
        var response = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        await stream.ReadExactlyAsync(response);

        Assert.Equal(42, BinaryPrimitives.ReadInt32BigEndian(response));
        Assert.Equal(expectedError, BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4)));
        var count = BinaryPrimitives.ReadInt32BigEndian(response.AsSpan(6));
        var keys = Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(10 + (i * 6)))).ToList();
        Assert.Contains((short)17, keys);
        Assert.Contains((short)18, keys);
        Assert.Contains((short)36, keys);
        // v1 and v2 add throttle_time_ms after the list; v0 and the v0-layout error answer do not.
        Assert.Equal(10 + (count * 6) + (version is 1 or 2 ? 4 : 0), response.Length);
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
