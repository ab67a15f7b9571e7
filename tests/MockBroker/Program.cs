using KafkaRestored.EmbeddedKafka;
using KafkaRestored.Restore.Kafka;

// Hosts librdkafka's mock cluster in its own process so that a broker crash cannot take the test
// runner down. Prints "BOOTSTRAP host:port,..." then answers one line per command on stdin:
//   create-topic NAME PARTITIONS [REPLICATION]   down ID   up ID   rtt ID MS
//   host-port ID HOST PORT   errors APIKEY CODE...   stop
// Every command answers "OK" or "ERR message". End of input stops the cluster too, so the
// process never outlives the test run that started it.
var brokers = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
LoadedLibrdkafka librdkafka;
try
{
    // The product's librdkafka, by path: never one the host would give for "librdkafka" by name.
    librdkafka = BundledLibrdkafka.Load();
}
catch (LibrdkafkaLoadException e)
{
    Console.Out.WriteLine($"ERR {e.Reason}: {e.Message}");
    return 2;
}
using var cluster = EmbeddedKafkaCluster.Start(librdkafka.Path, brokers);
Console.Out.WriteLine($"LIBRDKAFKA {librdkafka.Version} {librdkafka.Path}");
Console.Out.WriteLine("BOOTSTRAP " + cluster.BootstrapServers);
Console.Out.Flush();

string? line;
while ((line = Console.In.ReadLine()) is not null)
{
    var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (words.Length == 0) continue;
    try
    {
        static int I(string s) => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        switch (words[0])
        {
            case "create-topic":
                cluster.CreateTopic(words[1], I(words[2]), words.Length > 3 ? I(words[3]) : 1);
                break;
            case "down":
                cluster.SetBrokerDown(I(words[1]));
                break;
            case "up":
                cluster.SetBrokerUp(I(words[1]));
                break;
            case "rtt":
                cluster.SetBrokerRtt(I(words[1]), I(words[2]));
                break;
            case "host-port":
                cluster.SetBrokerHostPort(I(words[1]), words[2], I(words[3]));
                break;
            case "errors":
                cluster.PushRequestErrors(short.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture), [.. words.Skip(2).Select(I)]);
                break;
            case "stop":
                Console.Out.WriteLine("OK");
                return 0;
            default:
                Console.Out.WriteLine("ERR unknown command " + words[0]);
                continue;
        }
        Console.Out.WriteLine("OK");
    }
    catch (Exception e) when (e is FormatException or IndexOutOfRangeException or InvalidOperationException or OverflowException)
    {
        Console.Out.WriteLine("ERR " + e.Message);
    }
    Console.Out.Flush();
}
return 0;
