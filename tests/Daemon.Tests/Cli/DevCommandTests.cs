using System.Net.Sockets;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>Issue #17, <c>kafka-restored dev</c> as a real child process: its bootstrap serves kcat, the topics asked for exist, and Ctrl+C or SIGTERM ends it with exit 0.</summary>
public sealed class DevCommandTests
{
    private static async Task<(DaemonProcess Process, string Bootstrap)> StartAsync(params string[] args)
    {
        var process = new DaemonProcess(["dev", .. args], new Dictionary<string, string?>());
        var bootstrap = await process.WaitForAsync("the bootstrap and ready lines", () => Task.FromResult(
            process.StdOut.Contains("ready; Ctrl+C stops it", StringComparison.Ordinal)
                ? process.StdOut.Split('\n').Single(l => l.StartsWith("bootstrap: ", StringComparison.Ordinal))["bootstrap: ".Length..].Trim()
                : null), TimeSpan.FromMinutes(1));
        return (process, bootstrap);
    }

    private static bool Listening(string bootstrap)
    {
        var (host, port) = (bootstrap.Split(',')[0].Split(':')[0], int.Parse(bootstrap.Split(',')[0].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using var client = new TcpClient();
            client.Connect(host, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Dev_serves_its_topics_to_kcat_and_stops_on_ctrl_c_with_exit_0()
    {
        var (dev, bootstrap) = await StartAsync("--topic", "orders:3", "--topic", "payments");
        using (dev)
        {
            Assert.Contains("topic: orders (3 partitions)", dev.StdOut, StringComparison.Ordinal);
            Assert.Contains("topic: payments (1 partition)", dev.StdOut, StringComparison.Ordinal);
            Kcat.Produce(bootstrap, "orders", 2, [("k1", "v1"), ("k2", "v2")]);
            var records = Kcat.ReadTopic(bootstrap, "orders");
            Assert.Equal([(2, "k1", "v1"), (2, "k2", "v2")], records.Select(r => (r.Partition, r.Key, r.Value)));
            // Producing to partition 2 of a topic created with 1 partition is refused: the count was honoured.
            var refused = ProcessRunner.Run("kcat", ["-P", "-b", bootstrap, "-t", "payments", "-p", "2"], stdin: "x\n", timeout: TimeSpan.FromMinutes(1));
            Assert.NotEqual(0, refused.ExitCode);

            Assert.Equal(0, dev.Stop(TimeSpan.FromMinutes(1), "INT"));
            Assert.Contains("kafka-restored dev: stopped", dev.StdOut, StringComparison.Ordinal);
            Assert.False(Listening(bootstrap));
        }
    }

    [Fact]
    public async Task Dev_stops_on_sigterm_with_exit_0_and_refuses_a_bad_topic_with_exit_2()
    {
        var (dev, bootstrap) = await StartAsync();
        using (dev)
        {
            Assert.True(Listening(bootstrap));
            Assert.Equal(0, dev.Stop(TimeSpan.FromMinutes(1)));
        }

        var bad = CliBinary.Run(["dev", "--topic", "orders:0"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--topic 'orders:0': write NAME or NAME:PARTITIONS", bad.StdErr, StringComparison.Ordinal);
    }
}
