using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using KafkaRestored.EmbeddedKafka;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Kafka;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// <c>kafka-restored dev</c>: a local Kafka-protocol cluster to try the CLI against — the embedded
/// cluster of the demo (librdkafka's mock, in this process), the topics asked for, its bootstrap on
/// stdout, until Ctrl+C or SIGTERM. Stopping is how it is meant to end, so that exits 0, not 130.
/// </summary>
internal static partial class DevCommand
{
    /// <summary>Partitions of a <c>--topic NAME</c> given without a count.</summary>
    public const int DefaultPartitions = 1;

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var topics = new Option<string[]>("--topic", "-t")
        {
            Description = $"Create this topic, NAME[:PARTITIONS] (default {DefaultPartitions} partition; repeatable). Others are created on first produce with 4 partitions",
            AllowMultipleArgumentsPerToken = false,
        };
        topics.Validators.Add(ValidateTopics);
        var brokers = new Option<int>("--brokers") { Description = "Number of brokers (1 to 5)", DefaultValueFactory = _ => 1 };
        brokers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 5) r.AddError("--brokers must be between 1 and 5");
        });
        var command = new Command("dev", "Run a local Kafka-protocol cluster (embedded, in memory) with the topics asked for; prints its bootstrap, stops on Ctrl+C (exit 0)")
        {
            topics,
            brokers,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var librdkafka = BundledLibrdkafka.Load();
            using var cluster = EmbeddedKafkaCluster.Start(librdkafka.Path, parse.GetValue(brokers));
            output.WriteLine($"kafka-restored dev: embedded Kafka-protocol cluster (librdkafka {librdkafka.Version} mock, {Plural.Of(cluster.BrokerCount, "broker")}); its data lives in memory and ends with it");
            output.WriteLine($"bootstrap: {cluster.BootstrapServers}");
            foreach (var (name, partitions) in (parse.GetValue(topics) ?? []).Select(Parse))
            {
                cluster.CreateTopic(name, partitions, cluster.BrokerCount);
                output.WriteLine($"topic: {name} ({Plural.Of(partitions, "partition")})");
            }
            output.WriteLine("ready; Ctrl+C stops it");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                output.WriteLine("kafka-restored dev: stopped");
            }
            return 0;
        });
        return command;
    }

    private static (string Name, int Partitions) Parse(string spec)
    {
        var colon = spec.LastIndexOf(':');
        return colon < 0 ? (spec, DefaultPartitions) : (spec[..colon], int.Parse(spec[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture));
    }

    private static void ValidateTopics(OptionResult result)
    {
        foreach (var spec in result.GetValueOrDefault<string[]>() ?? [])
        {
            var match = TopicSpec().Match(spec);
            var valid = match.Success && match.Groups["name"].Value is not ("." or "..")
                && (!match.Groups["partitions"].Success || int.Parse(match.Groups["partitions"].Value, CultureInfo.InvariantCulture) is >= 1 and <= 1000);
            if (!valid)
                result.AddError($"--topic '{spec}': write NAME or NAME:PARTITIONS, NAME of letters, digits, '.', '_' and '-' (at most 249), PARTITIONS from 1 to 1000");
        }
    }

    [GeneratedRegex(@"^(?<name>[A-Za-z0-9._-]{1,249})(:(?<partitions>[0-9]{1,4}))?$")]
    private static partial Regex TopicSpec();
}
