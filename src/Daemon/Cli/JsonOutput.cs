using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// The JSON documents of <c>--output json</c>: every one starts with <c>apiVersion</c>
/// (<see cref="ApiVersion"/>, changed only for a change that breaks a reader) and <c>kind</c>, as
/// docs/output.md describes. Fields are only ever added within a version.
/// </summary>
internal static class JsonOutput
{
    /// <summary>Version of every output document's shape.</summary>
    public const string ApiVersion = "kafka-restored/v1";

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        // Messages hold quotes, '<' and '+' often: keep them readable, JSON stays valid.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <c>{"apiVersion", "kind", ...fields}</c> and a newline.</summary>
    public static void Write(TextWriter output, string kind, JsonObject fields)
    {
        var document = new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = kind };
        foreach (var (key, value) in fields.ToList())
        {
            fields.Remove(key);
            document[key] = value;
        }
        output.WriteLine(document.ToJsonString(Options));
    }

    /// <summary>A resource's identity: <c>{"kind", "namespace", "name"}</c>.</summary>
    public static JsonObject Resource(ResourceId id) => new() { ["kind"] = id.Kind, ["namespace"] = id.Namespace, ["name"] = id.Name };

    /// <summary>A JSON array of strings.</summary>
    public static JsonArray Strings(IEnumerable<string> values) => [.. values.Select(v => (JsonNode?)JsonValue.Create(v))];

    /// <summary>A JSON array of objects.</summary>
    public static JsonArray Array(IEnumerable<JsonNode> values) => [.. values.Select(v => (JsonNode?)v)];
}
