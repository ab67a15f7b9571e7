using System.Globalization;
using System.Text.Json.Nodes;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Resources.Validation;
using YamlDotNet.Serialization;

namespace KafkaRestored.Reconciler.Status;

/// <summary>
/// The daemon-owned files: <c>status/&lt;kind&gt;/&lt;namespace&gt;/&lt;name&gt;.yaml</c> per resource and
/// <c>snapshots/&lt;id&gt;.yaml</c> per offset snapshot, rendered deterministically so that an
/// unchanged status yields a byte-identical file (and so no commit).
/// </summary>
public static class StatusFiles
{
    // Field order of SPEC 3.1 first; kind-specific fields keep their declaration order after these.
    private static readonly string[] LeadingFields = ["phase", "startTime", "completionTime"];
    private static readonly string[] TrailingFields = ["conditions", "observedGeneration", "sourceRevision", "attempts", "progress"];

    private static readonly ISerializer Yaml = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .WithIndentedSequences()
        .Build();

    /// <summary>
    /// True when the identity can name a file under the status folder: a kind-like kind and DNS-1123
    /// name and namespace (no '/', no "..", no control characters). Validation guarantees it; this
    /// check keeps a status file from ever landing outside the status folder should that break.
    /// </summary>
    public static bool IsPathSafe(ResourceId id) =>
        Names.IsKindLike(id.Kind) && Names.IsDns1123Subdomain(id.Namespace) && Names.IsDns1123Subdomain(id.Name);

    /// <summary>Repository-relative path of a resource's status file; throws for an identity that is not <see cref="IsPathSafe"/>.</summary>
    public static string StatusPath(string statusDirectory, ResourceId id) => IsPathSafe(id)
        ? $"{statusDirectory.Trim('/')}/{id.Kind.ToLowerInvariant()}/{id.Namespace}/{id.Name}.yaml"
        : throw new ArgumentException($"Resource identity '{id}' cannot name a status file (kind, namespace or name outside the DNS-1123 rules).", nameof(id));

    /// <summary>Repository-relative path of a snapshot file.</summary>
    public static string SnapshotPath(string snapshotDirectory, string snapshotId) =>
        $"{snapshotDirectory.Trim('/')}/{snapshotId}.yaml";

    /// <summary>The status file's text: apiVersion, kind, metadata and status.</summary>
    public static string RenderStatus(ResourceId id, ResourceStatus status)
    {
        var doc = new OrderedDictionary<string, object?>
        {
            ["apiVersion"] = ApiVersions.V1Alpha1,
            ["kind"] = id.Kind,
            ["metadata"] = new OrderedDictionary<string, object?> { ["name"] = id.Name, ["namespace"] = id.Namespace },
            ["status"] = StatusMap(StatusJson.ToNode(status)),
        };
        return Yaml.Serialize(doc);
    }

    /// <summary>The phase written in a status file's text, or null (for commit messages about the previous state).</summary>
    public static string? PhaseOf(string? statusFileText)
    {
        if (statusFileText is null) return null;
        foreach (var line in statusFileText.Split('\n'))
        {
            if (line.StartsWith("  phase: ", StringComparison.Ordinal)) return line["  phase: ".Length..].Trim();
        }
        return null;
    }

    private static OrderedDictionary<string, object?> StatusMap(JsonObject node)
    {
        var result = new OrderedDictionary<string, object?>();
        var keys = node.Select(p => p.Key).Where(k => k != "$kind").ToList();
        var ordered = LeadingFields.Where(keys.Contains)
            .Concat(keys.Where(k => !LeadingFields.Contains(k) && !TrailingFields.Contains(k)))
            .Concat(TrailingFields.Where(keys.Contains));
        foreach (var key in ordered)
        {
            var value = Convert(node[key]);
            if (value is null || value is List<object?> { Count: 0 }) continue;
            result[key] = value;
        }
        return result;
    }

    private static object? Convert(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.Where(p => p.Value is not null && p.Value is not JsonArray { Count: 0 })
            .Aggregate(new OrderedDictionary<string, object?>(), (d, p) =>
            {
                d[p.Key] = Convert(p.Value);
                return d;
            }),
        JsonArray a => a.Select(Convert).ToList(),
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<double>(out var dbl) => dbl,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => node.ToString(),
    };
}
