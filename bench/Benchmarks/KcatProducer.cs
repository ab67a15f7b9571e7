using System.Text;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Benchmarks;

/// <summary>Baseline b: kcat producing the same keys and values from a file (kcat cannot vary headers per record, so it sends none).</summary>
internal static class KcatProducer
{
    /// <summary>Writes the dataset as kcat's input (key TAB value per line); done before timing, as the restore's backup is.</summary>
    public static string WriteInput(Dataset dataset, string file)
    {
        if (File.Exists(file)) return file;
        using var w = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20);
        var key = new byte[20];
        var value = new byte[200];
        for (long i = 0; i < dataset.Records; i++)
        {
            Dataset.Fill(i, key, value);
            w.Write(Encoding.ASCII.GetString(key));
            w.Write('\t');
            w.Write(Encoding.ASCII.GetString(value));
            w.Write('\n');
        }
        return file;
    }

    /// <summary>
    /// Runs kcat -P with the engine's producer settings over <paramref name="input"/>; with
    /// <paramref name="libraryDir"/>, on the librdkafka.so.1 in that folder instead of the system's.
    /// </summary>
    public static long? Run(string bootstrap, string topic, string input, string? libraryDir = null)
    {
        // kcat picks partitions by key hash; keys are distinct, so the spread is even.
        ProcessRunner.Run("kcat", ["-P", "-b", bootstrap, "-t", topic, "-K", "\t", "-l",
            "-X", "enable.idempotence=true", "-X", "acks=all", "-X", "enable.gapless.guarantee=true",
            "-X", "linger.ms=10", "-X", "batch.size=1000000", "-X", "batch.num.messages=100000", "-X", "socket.nagle.disable=true",
            "-X", $"queue.buffering.max.kbytes={RawProducer.EngineQueueKbytes}", "-X", $"queue.buffering.max.messages={RawProducer.EngineQueueMessages}", input],
            environment: libraryDir is null ? null : new Dictionary<string, string?> { ["LD_LIBRARY_PATH"] = libraryDir },
            timeout: TimeSpan.FromMinutes(10)).EnsureSuccess("kcat -P");
        return null;
    }

    /// <summary>The librdkafka file kcat links (the system's), from ldd.</summary>
    public static string SystemLibrary()
    {
        var ldd = ProcessRunner.Run("sh", ["-c", "ldd \"$(command -v kcat)\""]).EnsureSuccess("ldd kcat");
        var line = ldd.StdOut.Split('\n').FirstOrDefault(l => l.Contains("librdkafka", StringComparison.Ordinal) && l.Contains("=>", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("ldd shows no librdkafka for kcat:\n" + ldd.StdOut);
        return line.Split("=>")[1].Trim().Split(' ')[0];
    }
}
