using System.Globalization;
using System.Text;

namespace KafkaRestored.TestSupport;

/// <summary>One record as kcat (an independent Kafka client) saw it.</summary>
public sealed record KcatRecord(int Partition, long Offset, long Timestamp, string? Key, string? Value, IReadOnlyList<(string Key, string? Value)> Headers);

/// <summary>Reads topics with kcat, so tests check what the product wrote with another implementation.</summary>
public static class Kcat
{
    // Fields are separated by ASCII unit/record separators, which test data never contains.
    private const char Field = '\u001f';
    private const char RecordEnd = '\u001e';

    /// <summary>True when the kcat binary is on PATH.</summary>
    public static bool IsInstalled => ProcessRunnerExists("kcat");

    /// <summary>Consumes a whole topic from the beginning to its end and returns every record, ordered by partition then offset.</summary>
    public static IReadOnlyList<KcatRecord> ReadTopic(string bootstrapServers, string topic) =>
        ReadTopic(bootstrapServers, topic, new Dictionary<string, string>());

    /// <summary>As <see cref="ReadTopic(string, string)"/>, with client properties passed as -X (e.g. TLS settings).</summary>
    public static IReadOnlyList<KcatRecord> ReadTopic(string bootstrapServers, string topic, IReadOnlyDictionary<string, string> properties)
    {
        // %h prints headers as k=v,k=v; null header values print as the key alone. Keys and
        // values print as-is; -Z prints NULL keys/values as "NULL" is not reliable, so nulls are
        // distinguished with %K/%S lengths (-1 for null).
        var format = $"%p{Field}%o{Field}%T{Field}%K{Field}%k{Field}%S{Field}%s{Field}%h{RecordEnd}";
        var result = ProcessRunner.Run("kcat", ["-C", "-b", bootstrapServers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", format,
                .. properties.SelectMany(p => new[] { "-X", $"{p.Key}={p.Value}" })],
            timeout: TimeSpan.FromMinutes(2)).EnsureSuccess("kcat -C -t " + topic);
        var records = new List<KcatRecord>();
        foreach (var raw in result.StdOut.Split(RecordEnd))
        {
            if (raw.Length == 0 || raw == "\n") continue;
            var f = raw.Split(Field);
            if (f.Length != 8) throw new FormatException("unexpected kcat output: " + raw);
            var keyLen = int.Parse(f[3], CultureInfo.InvariantCulture);
            var valueLen = int.Parse(f[5], CultureInfo.InvariantCulture);
            records.Add(new KcatRecord(
                int.Parse(f[0], CultureInfo.InvariantCulture),
                long.Parse(f[1], CultureInfo.InvariantCulture),
                long.Parse(f[2], CultureInfo.InvariantCulture),
                keyLen < 0 ? null : f[4],
                valueLen < 0 ? null : f[6],
                ParseHeaders(f[7])));
        }
        return [.. records.OrderBy(r => r.Partition).ThenBy(r => r.Offset)];
    }

    /// <summary>Produces "key:value" lines with kcat to one partition.</summary>
    public static void Produce(string bootstrapServers, string topic, int partition, IEnumerable<(string Key, string Value)> records)
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in records) sb.Append(k).Append('\t').Append(v).Append('\n');
        ProcessRunner.Run("kcat", ["-P", "-b", bootstrapServers, "-t", topic, "-p", partition.ToString(CultureInfo.InvariantCulture), "-K", "\t"],
            stdin: sb.ToString()).EnsureSuccess("kcat -P");
    }

    private static List<(string, string?)> ParseHeaders(string text)
    {
        var list = new List<(string, string?)>();
        if (text.Length == 0) return list;
        foreach (var part in text.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            list.Add(eq < 0 ? (part, null) : (part[..eq], part[(eq + 1)..]));
        }
        return list;
    }

    private static bool ProcessRunnerExists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, name)));
}
