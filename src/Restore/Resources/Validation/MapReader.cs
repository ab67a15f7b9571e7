using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>Reads one mapping of the schema: rejects unknown and repeated keys, then hands out typed values,
/// reporting each problem at the node that has it.</summary>
internal sealed class MapReader
{
    private readonly Dictionary<string, (YScalar Key, YNode Value)> _fields = new(StringComparer.Ordinal);

    private MapReader(ValidationContext ctx, YMapping node, string path, TextPosition at)
    {
        Ctx = ctx;
        Node = node;
        Path = path;
        At = at;
    }

    public ValidationContext Ctx { get; }

    public YMapping Node { get; }

    /// <summary>Dotted path of this mapping ("spec.targetCluster"); empty for the document root.</summary>
    public string Path { get; }

    /// <summary>Where "missing field" problems point: the key that introduced this mapping.</summary>
    public TextPosition At { get; }

    /// <summary>Opens a mapping with the fields it may hold; null (with an error) when it is not a mapping.
    /// <paramref name="openEnded"/> accepts any key (label maps).</summary>
    public static MapReader? Open(ValidationContext ctx, YNode node, string path, TextPosition at,
        IReadOnlyList<string> fields, bool openEnded = false)
    {
        if (node is not YMapping map)
        {
            ctx.Error(node.Start, DiagnosticCodes.InvalidType, $"{Display(path)} must be a mapping, not {node.Describe()}");
            return null;
        }
        ctx.CheckTag(node, Display(path));
        var reader = new MapReader(ctx, map, path, at);
        foreach (var (keyNode, value) in map.Entries)
        {
            if (keyNode is not YScalar key || key.IsNull)
            {
                ctx.Error(keyNode.Start, DiagnosticCodes.InvalidType,
                    $"keys of {Display(path)} must be plain strings, not {keyNode.Describe()}");
                continue;
            }
            if (reader._fields.TryGetValue(key.Value, out var first))
            {
                ctx.Error(key.Start, DiagnosticCodes.DuplicateKey,
                    $"{reader.FieldPath(key.Value)} is given twice (first at line {first.Key.Start.Line}); keep one");
                continue;
            }
            if (!openEnded && !fields.Contains(key.Value))
            {
                ctx.Error(key.Start, DiagnosticCodes.UnknownField, UnknownFieldMessage(path, key.Value, fields));
                continue;
            }
            reader._fields[key.Value] = (key, value);
        }
        return reader;
    }

    private static string UnknownFieldMessage(string path, string key, IReadOnlyList<string> fields)
    {
        var where = path.Length == 0 ? "at the top level" : "in " + path;
        if (key == "<<")
            return $"merge keys (<<) are not supported {where}; write the fields out";
        var suggestion = Suggestions.Closest(key, fields);
        return suggestion is not null
            ? $"unknown field \"{Truncate(key)}\" {where}; did you mean \"{suggestion}\"?"
            : $"unknown field \"{Truncate(key)}\" {where}; allowed: {string.Join(", ", fields)}";
    }

    public static string Display(string path) => path.Length == 0 ? "the document" : path;

    public string FieldPath(string key) => Path.Length == 0 ? key : Path + "." + key;

    /// <summary>All keys present, in document order.</summary>
    public IEnumerable<string> Keys => _fields.Keys;

    /// <summary>True when the key is present, even with a null value.</summary>
    public bool Present(string key) => _fields.ContainsKey(key);

    /// <summary>The value, or null when absent or YAML null.</summary>
    public YNode? Value(string key) =>
        _fields.TryGetValue(key, out var f) && !(f.Value is YScalar { IsNull: true }) ? f.Value : null;

    /// <summary>Position of the key, or of this mapping's own key when absent.</summary>
    public TextPosition KeyAt(string key) => _fields.TryGetValue(key, out var f) ? f.Key.Start : At;

    public void Missing(string key, string? hint = null) =>
        Ctx.Error(KeyAt(key), DiagnosticCodes.RequiredField,
            $"{FieldPath(key)} is required{(Present(key) ? " but empty" : "")}{(hint is null ? "" : ": " + hint)}");

    public MapReader? Map(string key, IReadOnlyList<string> fields, bool required = false, string? hint = null, bool openEnded = false)
    {
        var v = Value(key);
        if (v is null)
        {
            if (required) Missing(key, hint);
            return null;
        }
        return Open(Ctx, v, FieldPath(key), KeyAt(key), fields, openEnded);
    }

    /// <summary>A scalar's raw text: any plain or quoted scalar is accepted as a string, losslessly.</summary>
    public string? String(string key, bool required = false, string? hint = null, bool allowEmpty = false)
    {
        var v = Value(key);
        if (v is null)
        {
            if (required) Missing(key, hint);
            return null;
        }
        return ScalarString(v, FieldPath(key), required, hint, allowEmpty);
    }

    private string? ScalarString(YNode v, string path, bool required, string? hint, bool allowEmpty = false)
    {
        if (v is not YScalar s)
        {
            Ctx.Error(v.Start, DiagnosticCodes.InvalidType, $"{path} must be a string, not {v.Describe()}");
            return null;
        }
        if (!Ctx.CheckTag(s, path)) return null;
        if (!allowEmpty && (s.Value.Length == 0 || s.Value.Trim().Length == 0))
        {
            Ctx.Error(s.Start, DiagnosticCodes.RequiredField, $"{path} must not be empty{(required && hint is not null ? ": " + hint : "")}");
            return null;
        }
        return s.Value;
    }

    public bool? Bool(string key)
    {
        var v = Value(key);
        if (v is null) return null;
        if (v is YScalar s && Ctx.CheckTag(s, FieldPath(key)))
        {
            var plain = s.IsPlain || s.Tag == "tag:yaml.org,2002:bool";
            if (plain && ScalarText.IsBool(s.Value)) return s.Value.Equals("true", StringComparison.OrdinalIgnoreCase);
            var hint = ScalarText.IsYaml11Bool(s.Value) ? $" (\"{s.Value}\" is not a boolean in YAML 1.2)"
                : !plain && ScalarText.IsBool(s.Value) ? " (remove the quotes)" : "";
            Ctx.Error(s.Start, DiagnosticCodes.InvalidType, $"{FieldPath(key)} must be true or false, not {Shown(s)}{hint}");
            return null;
        }
        if (v is not YScalar) Ctx.Error(v.Start, DiagnosticCodes.InvalidType, $"{FieldPath(key)} must be true or false, not {v.Describe()}");
        return null;
    }

    public long? Integer(string key, long min, long max, bool required = false, string? rangeHint = null, string? hint = null)
    {
        var v = Value(key);
        if (v is null)
        {
            if (required) Missing(key, hint);
            return null;
        }
        var path = FieldPath(key);
        if (v is not YScalar s)
        {
            Ctx.Error(v.Start, DiagnosticCodes.InvalidType, $"{path} must be an integer, not {v.Describe()}");
            return null;
        }
        if (!Ctx.CheckTag(s, path)) return null;
        var plain = s.IsPlain || s.Tag == "tag:yaml.org,2002:int";
        if (!plain || !ScalarText.IsInteger(s.Value))
        {
            var quoted = !plain && ScalarText.IsInteger(s.Value) ? " (remove the quotes)" : "";
            Ctx.Error(s.Start, DiagnosticCodes.InvalidType, $"{path} must be an integer, not {Shown(s)}{quoted}");
            return null;
        }
        if (!long.TryParse(s.Value, System.Globalization.NumberStyles.AllowLeadingSign, null, out var n) || n < min || n > max)
        {
            Ctx.Error(s.Start, DiagnosticCodes.OutOfRange,
                $"{path} is {s.Value}; it must be {rangeHint ?? RangeText(min, max)}");
            return null;
        }
        return n;
    }

    private static string RangeText(long min, long max) =>
        max == long.MaxValue || max == int.MaxValue
            ? min == 0 ? "zero or more" : $"at least {min}"
            : $"between {min} and {max}";

    /// <summary>One of a fixed set of spellings (case-sensitive, as Kubernetes does), with a hint for near misses.</summary>
    public T? Enum<T>(string key, IReadOnlyList<(string Text, T Value)> values, bool required = false) where T : struct
    {
        var v = Value(key);
        if (v is null)
        {
            if (required) Missing(key, "one of " + string.Join(", ", values.Select(x => x.Text)));
            return null;
        }
        var path = FieldPath(key);
        if (v is not YScalar s || !Ctx.CheckTag(s, path))
        {
            if (v is not YScalar) Ctx.Error(v.Start, DiagnosticCodes.InvalidType, $"{path} must be a string, not {v.Describe()}");
            return null;
        }
        foreach (var (text, value) in values)
        {
            if (text == s.Value) return value;
        }
        var texts = values.Select(x => x.Text).ToList();
        var suggestion = Suggestions.Closest(s.Value, texts);
        Ctx.Error(s.Start, DiagnosticCodes.InvalidEnumValue,
            $"{path} is \"{Truncate(s.Value)}\"; it must be one of {string.Join(", ", texts)}" +
            (suggestion is null ? "" : $" (did you mean \"{suggestion}\"?)"));
        return null;
    }

    /// <summary>A list of non-empty strings with their positions; null when absent or wrong.</summary>
    public List<(string Value, TextPosition At)>? StringList(string key, bool required = false, string? hint = null,
        bool allowEmpty = false, bool unique = true)
    {
        var v = Value(key);
        var path = FieldPath(key);
        if (v is null)
        {
            if (required) Missing(key, hint);
            return null;
        }
        if (v is not YSequence seq)
        {
            var example = v is YScalar sc ? $" (write [{sc.Value}] or a \"- item\" line)" : "";
            Ctx.Error(v.Start, DiagnosticCodes.InvalidType, $"{path} must be a list, not {v.Describe()}{example}");
            return null;
        }
        Ctx.CheckTag(seq, path);
        if (seq.Items.Count == 0 && !allowEmpty)
        {
            Ctx.Error(seq.Start, DiagnosticCodes.EmptyList, $"{path} is empty{(hint is null ? "" : ": " + hint)}");
            return null;
        }
        // Bad items are reported and left out; the rest is returned so later checks still run on it
        // (callers compare the error count to know whether the whole block is usable).
        var result = new List<(string, TextPosition)>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < seq.Items.Count; i++)
        {
            var item = seq.Items[i];
            var itemPath = $"{path}[{i}]";
            if (item is YScalar { IsNull: true })
            {
                Ctx.Error(item.Start, DiagnosticCodes.RequiredField, $"{itemPath} is empty");
                continue;
            }
            var text = ScalarString(item, itemPath, false, null);
            if (text is null) continue;
            if (unique && seen.TryGetValue(text, out var firstIndex))
            {
                Ctx.Error(item.Start, DiagnosticCodes.DuplicateValue, $"{itemPath} repeats \"{Truncate(text)}\" ({path}[{firstIndex}]); list it once");
                continue;
            }
            seen[text] = i;
            result.Add((text, item.Start));
        }
        return result;
    }

    /// <summary>A string-to-string map (labels, annotations, topicMapping) with positions; empty values are kept.</summary>
    public List<(string Key, TextPosition KeyAt, string Value, TextPosition ValueAt)>? StringMap(string key)
    {
        var v = Value(key);
        if (v is null) return null;
        var map = Open(Ctx, v, FieldPath(key), KeyAt(key), [], openEnded: true);
        if (map is null) return null;
        var result = new List<(string, TextPosition, string, TextPosition)>();
        var ok = true;
        foreach (var entry in map._fields)
        {
            var value = map.Value(entry.Key);
            var path = map.FieldPath(entry.Key);
            if (value is null)
            {
                Ctx.Error(entry.Value.Key.Start, DiagnosticCodes.RequiredField, $"{path} has no value");
                ok = false;
                continue;
            }
            // Kubernetes allows empty label and annotation values; topic names are checked by their caller.
            var text = map.ScalarString(value, path, false, null, allowEmpty: true);
            if (text is null)
            {
                ok = false;
                continue;
            }
            result.Add((entry.Key, entry.Value.Key.Start, text, value.Start));
        }
        return ok ? result : null;
    }

    /// <summary>An ISO 8601 instant with an explicit zone (Z or ±hh:mm).</summary>
    public DateTimeOffset? Timestamp(string key, bool required = false, string? hint = null)
    {
        var text = String(key, required, hint);
        if (text is null) return null;
        if (Timestamps.TryParse(text, out var t)) return t;
        Ctx.Error(Value(key)!.Start, DiagnosticCodes.InvalidTimestamp,
            $"{FieldPath(key)} is \"{Truncate(text)}\"; write an ISO 8601 time with a zone, e.g. \"2024-12-01T12:00:00Z\" or \"2024-12-01T13:00:00+01:00\"");
        return null;
    }

    private static string Shown(YScalar s) => s.Value.Length == 0 ? "an empty value" : $"\"{Truncate(s.Value)}\"";

    internal static string Truncate(string s) => s.Length <= 60 ? s : s[..57] + "...";

    /// <summary>Escapes control characters (\\u0007) and caps the length, so a message is one printable line
    /// whatever the document holds.</summary>
    internal static string Printable(string message)
    {
        if (message.Length > 2000) message = message[..1997] + "...";
        if (!message.Any(char.IsControl)) return message;
        var sb = new System.Text.StringBuilder(message.Length + 16);
        foreach (var c in message)
        {
            if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
