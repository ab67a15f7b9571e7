using System.Globalization;
using System.Text.RegularExpressions;

namespace KafkaRestored.Restore.Kafka;

/// <summary>
/// Which Kafka APIs the brokers a client talked to advertise, read from librdkafka's
/// <c>debug=feature</c> log of each ApiVersions answer (librdkafka exposes them no other way).
/// Needed before OffsetDelete: librdkafka 2.16 mishandles its own "not supported by broker"
/// path for that request and later aborts the process, so it must never be sent to a broker
/// that does not list it.
/// </summary>
internal sealed partial class BrokerApiSupport
{
    /// <summary>Kafka's ApiKey of OffsetDelete (KIP-496, Kafka 2.4).</summary>
    public const short OffsetDelete = 47;

    /// <summary>The librdkafka debug context that logs ApiVersions answers.</summary>
    public const string DebugContext = "feature";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<short>> _byBroker = new(StringComparer.Ordinal);

    /// <summary>Looks at one librdkafka log line (called on librdkafka's threads).</summary>
    public void Note(string facility, string message)
    {
        if (facility != "APIVERSION") return;
        var m = LinePattern().Match(message);
        if (!m.Success) return;
        var broker = m.Groups["broker"].Value;
        lock (_gate)
        {
            // "Broker API support:" starts a fresh answer from that broker (a reconnect may differ).
            if (!m.Groups["key"].Success)
            {
                _byBroker[broker] = [];
                return;
            }
            if (!_byBroker.TryGetValue(broker, out var keys)) _byBroker[broker] = keys = [];
            keys.Add(short.Parse(m.Groups["key"].Value, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// True only when at least one broker answered ApiVersions and every broker that answered
    /// lists <paramref name="apiKey"/>; <paramref name="lacking"/> names those that do not (empty
    /// when no broker answered yet, so support is unknown).
    /// </summary>
    public bool Supports(short apiKey, out IReadOnlyList<string> lacking)
    {
        lock (_gate)
        {
            lacking = [.. _byBroker.Where(b => !b.Value.Contains(apiKey)).Select(b => b.Key).Order(StringComparer.Ordinal)];
            return _byBroker.Count > 0 && lacking.Count == 0;
        }
    }

    // "[thrd:127.0.0.1:9092/1]: 127.0.0.1:9092/1:   ApiKey OffsetDelete (47) Versions 0..0", or "...: Broker API support:".
    [GeneratedRegex(@"^(?:\[thrd:[^\]]*\]: )?(?<broker>\S+): (?:Broker API support:|\s*ApiKey \S+ \((?<key>\d+)\) Versions \d+\.\.\d+)")]
    private static partial Regex LinePattern();
}
