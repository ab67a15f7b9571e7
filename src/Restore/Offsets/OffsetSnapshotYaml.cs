using System.Globalization;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// The YAML form of an <see cref="OffsetSnapshot"/>, as committed to <c>snapshots/&lt;id&gt;.yaml</c>.
/// Its apiVersion is deliberately not kafka.oso.sh/v1alpha1, so the resource loader ignores it.
/// </summary>
public static class OffsetSnapshotYaml
{
    /// <summary>apiVersion of snapshot documents.</summary>
    public const string ApiVersion = "snapshots.kafka-restored/v1";

    /// <summary>kind of snapshot documents.</summary>
    public const string Kind = "OffsetSnapshot";

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .DisableAliases()
        .Build();

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    /// <summary>Renders the snapshot: a header comment, then snapshotId, takenAt, source, cluster, topics and groups.</summary>
    public static string Render(OffsetSnapshot snapshot)
    {
        var doc = new SnapshotDocument
        {
            ApiVersion = ApiVersion,
            Kind = Kind,
            SnapshotId = snapshot.Id,
            TakenAt = snapshot.TakenAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            Source = new SourceDocument { Kind = snapshot.Source.Kind, Namespace = snapshot.Source.Namespace, Name = snapshot.Source.Name },
            Cluster = new ClusterDocument { BootstrapServers = [.. snapshot.BootstrapServers] },
            Topics = [.. snapshot.Topics],
            Groups = snapshot.Groups.ToDictionary(g => g, g => (Dictionary<string, Dictionary<int, long>?>?)snapshot.OffsetsOf(g)
                .GroupBy(o => o.Topic)
                .ToDictionary(t => t.Key, t => (Dictionary<int, long>?)t.ToDictionary(o => o.Partition, o => o.Offset))),
        };
        return $"# Committed consumer-group offsets recorded by kafka-restored. Written by the daemon; do not edit.\n" +
               $"# Roll back with a KafkaOffsetRollback (operation: rollback, snapshotId: {snapshot.Id}).\n" +
               Serializer.Serialize(doc);
    }

    /// <summary>Parses a snapshot document; <paramref name="origin"/> names the file for messages.</summary>
    /// <exception cref="KafkaRestoredException">InvalidSnapshot.</exception>
    public static OffsetSnapshot Parse(string yaml, string origin)
    {
        SnapshotDocument? doc;
        try
        {
            doc = Deserializer.Deserialize<SnapshotDocument>(yaml);
        }
        catch (YamlException e)
        {
            throw Invalid(origin, $"line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }
        if (doc is null) throw Invalid(origin, "the file is empty");
        if (doc.ApiVersion != ApiVersion || doc.Kind != Kind)
            throw Invalid(origin, $"expected apiVersion {ApiVersion} and kind {Kind}, found {doc.ApiVersion} {doc.Kind}");
        if (string.IsNullOrEmpty(doc.SnapshotId)) throw Invalid(origin, "snapshotId is missing");
        if (!DateTimeOffset.TryParse(doc.TakenAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var takenAt))
            throw Invalid(origin, $"takenAt '{doc.TakenAt}' is not an ISO 8601 time");
        var source = doc.Source ?? throw Invalid(origin, "source is missing");
        var groups = doc.Groups ?? [];
        return new OffsetSnapshot(
            doc.SnapshotId,
            takenAt,
            new ResourceId(source.Kind ?? "", source.Namespace ?? "", source.Name ?? ""),
            doc.Cluster?.BootstrapServers ?? [],
            doc.Topics ?? [],
            groups.Keys,
            groups.SelectMany(g => (g.Value ?? []).SelectMany(t => (t.Value ?? []).Select(p => (g.Key, t.Key, p.Key, p.Value)))));
    }

    private static KafkaRestoredException Invalid(string origin, string what, Exception? inner = null) =>
        new(FailureReason.InvalidSnapshot, $"offset snapshot {origin} is not valid: {what}. Snapshot files are written by kafka-restored; restore the file from Git history.", inner);

    private sealed class SnapshotDocument
    {
        public string? ApiVersion { get; set; }

        public string? Kind { get; set; }

        public string? SnapshotId { get; set; }

        public string? TakenAt { get; set; }

        public SourceDocument? Source { get; set; }

        public ClusterDocument? Cluster { get; set; }

        public List<string>? Topics { get; set; }

        public Dictionary<string, Dictionary<string, Dictionary<int, long>?>?>? Groups { get; set; }
    }

    private sealed class SourceDocument
    {
        public string? Kind { get; set; }

        public string? Namespace { get; set; }

        public string? Name { get; set; }
    }

    private sealed class ClusterDocument
    {
        public List<string>? BootstrapServers { get; set; }
    }
}
