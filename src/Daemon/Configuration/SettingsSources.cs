using System.Text;
using System.Text.Json;

namespace KafkaRestored.Daemon.Configuration;

/// <summary>
/// Checks each settings source before it is bound: a JSON file must parse (else its line and column
/// are named) and hold only keys the settings read; a KAFKA_RESTORED_ environment variable must name
/// one. Every problem names its source (the file path with line and column, or the variable) and the
/// key as the user wrote it.
/// </summary>
public static class SettingsSources
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>Problems of the JSON settings file <paramref name="path"/>; <paramref name="role"/> says how it was given (e.g. "--config").</summary>
    public static IReadOnlyList<string> FileProblems(string path, string role)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [$"The settings file {path} ({role}) cannot be read: {e.Message}"];
        }
        var data = bytes.AsSpan().StartsWith(Utf8Bom) ? bytes[Utf8Bom.Length..] : bytes;
        var problems = new List<string>();
        try
        {
            foreach (var (segments, at) in Keys(data))
            {
                if (SettingsKeys.Problem(segments, s => string.Join(':', s)) is not { } problem) continue;
                var (line, column) = Position(data, at);
                if (!problems.Any(p => p.EndsWith(problem, StringComparison.Ordinal)))
                    problems.Add($"{path}:{line}:{column}: {problem}");
            }
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            return [$"{path}:{line}:{column}: the settings file ({role}) is not valid JSON: {Reason(e.Message)}"];
        }
        return problems;
    }

    /// <summary>Problems of the KAFKA_RESTORED_ variables in <paramref name="environment"/> (null: the process environment); others are not looked at.</summary>
    public static IReadOnlyList<string> EnvironmentProblems(IReadOnlyDictionary<string, string?>? environment)
    {
        var names = environment?.Keys ?? Environment.GetEnvironmentVariables().Keys.Cast<object>().Select(k => (string)k);
        var problems = new List<string>();
        foreach (var variable in names.Where(n => n.StartsWith(ReconcilerSettings.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
        {
            var prefix = variable[..ReconcilerSettings.EnvironmentPrefix.Length];
            var segments = variable[prefix.Length..].Replace("__", ":", StringComparison.Ordinal).Split(':');
            if (SettingsKeys.Problem(segments, s => prefix + string.Join("__", s)) is { } problem)
                problems.Add($"environment variable {variable}: {problem}");
        }
        return problems;
    }

    /// <summary>Every key of a JSON settings document as configuration segments, with the byte offset of its name (or array item).</summary>
    private static List<(string[] Segments, long At)> Keys(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var keys = new List<(string[], long)>();
        var path = new List<string>();
        var containers = new Stack<Container>();
        string property = "";
        long propertyAt = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString() ?? "";
                    propertyAt = reader.TokenStartIndex;
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    if (containers.Count == 0 && reader.TokenType != JsonTokenType.StartObject)
                        throw new JsonException("the settings must be a JSON object ({ \"RepositoryUrl\": ... }) at the root", null, 0, reader.TokenStartIndex);
                    if (containers.Count > 0)
                    {
                        var (segment, at) = Next(containers.Peek(), property, propertyAt, reader.TokenStartIndex);
                        path.Add(segment);
                        keys.Add(([.. path], at));
                    }
                    containers.Push(new Container(reader.TokenType == JsonTokenType.StartArray));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    containers.Pop();
                    if (containers.Count > 0) path.RemoveAt(path.Count - 1);
                    break;
                default:
                    var (name, valueAt) = Next(containers.Peek(), property, propertyAt, reader.TokenStartIndex);
                    keys.Add(([.. path, name], valueAt));
                    break;
            }
        }
        return keys;
    }

    private static (string Segment, long At) Next(Container container, string property, long propertyAt, long tokenAt)
    {
        if (!container.IsArray) return (property, propertyAt);
        return ((container.Count++).ToString(System.Globalization.CultureInfo.InvariantCulture), tokenAt);
    }

    /// <summary>1-based line and column (in characters) of a byte offset.</summary>
    private static (int Line, int Column) Position(ReadOnlySpan<byte> data, long offset)
    {
        var before = data[..(int)Math.Min(offset, data.Length)];
        var line = before.Count((byte)'\n') + 1;
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return (line, Encoding.UTF8.GetCharCount(before[lineStart..]) + 1);
    }

    /// <summary>The reader's message without its own position suffix (the line and column are given apart, 1-based).</summary>
    private static string Reason(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var path = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (path >= 0 && (cut < 0 || path < cut)) cut = path;
        return (cut < 0 ? message : message[..cut]).TrimEnd();
    }

    private sealed class Container(bool isArray)
    {
        public bool IsArray { get; } = isArray;
        public int Count { get; set; }
    }
}
