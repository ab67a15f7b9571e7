using System.Diagnostics;
using Confluent.Kafka;

namespace KafkaRestored.TestSupport;

/// <summary>
/// A Kafka-protocol broker (librdkafka's mock cluster) in its own child process: the tests talk
/// to it over real sockets, as the product would to an external cluster.
/// </summary>
public sealed class MockKafkaBroker : IDisposable
{
    private readonly Process _process;
    private readonly Lock _commandGate = new();
    private int _topicCounter;

    private MockKafkaBroker(Process process, string librdkafka, string bootstrapServers, int brokerCount)
    {
        _process = process;
        Librdkafka = librdkafka;
        BootstrapServers = bootstrapServers;
        BrokerCount = brokerCount;
    }

    /// <summary>The librdkafka the broker host loaded: "VERSION PATH".</summary>
    public string Librdkafka { get; }

    /// <summary>Bootstrap list of the cluster.</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers (ids 1..N).</summary>
    public int BrokerCount { get; }

    /// <summary>PID of the broker host process.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts the mock-broker tool (with <paramref name="environment"/> added to its environment) and waits for its bootstrap list.</summary>
    public static MockKafkaBroker Start(int brokerCount = 3, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(RepoPaths.ProjectOutput("tests/MockBroker", "mock-broker"));
        psi.ArgumentList.Add(brokerCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start mock-broker");
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        var first = process.StandardOutput.ReadLine();
        var second = first?.StartsWith("LIBRDKAFKA ", StringComparison.Ordinal) == true ? process.StandardOutput.ReadLine() : null;
        if (second is null || !second.StartsWith("BOOTSTRAP ", StringComparison.Ordinal))
        {
            try { process.Kill(); } catch (InvalidOperationException) { }
            process.WaitForExit(5000);
            lock (stderr) throw new InvalidOperationException($"mock-broker did not print its librdkafka and bootstrap list; got: {first} / {second}\n{stderr}");
        }
        return new MockKafkaBroker(process, first!["LIBRDKAFKA ".Length..].Trim(), second["BOOTSTRAP ".Length..].Trim(), brokerCount);
    }

    /// <summary>Sends one command line to the broker host and returns after its OK.</summary>
    public void Command(string line)
    {
        lock (_commandGate)
        {
            _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
            var answer = _process.StandardOutput.ReadLine();
            if (answer != "OK")
                throw new InvalidOperationException($"mock-broker answered '{answer}' to '{line}'");
        }
    }

    /// <summary>Creates a topic with a unique name derived from <paramref name="prefix"/> and returns the name.</summary>
    public string CreateUniqueTopic(string prefix, int partitions)
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _topicCounter)}-{Guid.NewGuid().ToString("N")[..6]}";
        CreateTopic(name, partitions);
        return name;
    }

    /// <summary>Creates a topic through the mock's own API (CreateTopics is not served by the mock).</summary>
    public void CreateTopic(string name, int partitions, int replicationFactor = 1) =>
        Command($"create-topic {name} {partitions} {replicationFactor}");

    /// <summary>Takes a broker down.</summary>
    public void BrokerDown(int id) => Command($"down {id}");

    /// <summary>
    /// Delays every broker's responses by <paramref name="ms"/> milliseconds (0: no delay). A restore under the
    /// 8 MiB memory floor has at most ~4 MiB or 10,000 records unacknowledged, so a delay bounds its speed on
    /// any machine: tests that must catch a restore part-way use it instead of hoping the machine is slow.
    /// </summary>
    public void SetRtt(int ms)
    {
        for (var id = 1; id <= BrokerCount; id++) Command($"rtt {id} {ms}");
    }

    /// <summary>Brings a broker back up.</summary>
    public void BrokerUp(int id) => Command($"up {id}");

    /// <summary>Makes a broker advertise another address.</summary>
    public void AdvertiseHostPort(int id, string host, int port) => Command($"host-port {id} {host} {port}");

    /// <summary>Queues error codes for the next requests of an API key.</summary>
    public void PushRequestErrors(short apiKey, params ErrorCode[] errors) =>
        Command($"errors {apiKey} {string.Join(' ', errors.Select(e => ((int)e).ToString(System.Globalization.CultureInfo.InvariantCulture)))}");

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("stop");
                _process.StandardInput.Close();
                if (!_process.WaitForExit(5000)) _process.Kill(entireProcessTree: true);
            }
        }
        catch (IOException)
        {
            KillQuietly();
        }
        catch (InvalidOperationException)
        {
            KillQuietly();
        }
        _process.Dispose();
    }

    private void KillQuietly()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }
}

/// <summary>xUnit fixture: one mock broker per test class (or collection), stopped by PID at the end.</summary>
public sealed class KafkaFixture : IDisposable
{
    /// <summary>Starts the broker.</summary>
    public KafkaFixture() => Broker = MockKafkaBroker.Start();

    /// <summary>The running broker.</summary>
    public MockKafkaBroker Broker { get; }

    /// <inheritdoc />
    public void Dispose() => Broker.Dispose();
}
