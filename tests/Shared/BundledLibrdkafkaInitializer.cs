using System.Runtime.CompilerServices;
using KafkaRestored.Restore.Kafka;

namespace KafkaRestored.Tests.Shared;

/// <summary>
/// Loads the product's librdkafka, by path, before any code of this test assembly runs, as the
/// binary's entry point does: tests create Kafka clients in-process, and without this Confluent.Kafka
/// would take whatever librdkafka the host has by name (e.g. Debian's librdkafka-dev 2.0.2).
/// </summary>
internal static class BundledLibrdkafkaInitializer
{
#pragma warning disable CA2255 // A module initializer is the one hook that runs before every test of the assembly.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Load() => BundledLibrdkafka.Load();
}
