using System.Collections;

namespace KafkaRestored.Restore.Resources.Model;

/// <summary>An immutable string map with value equality; keeps the order the YAML gave.</summary>
public sealed class ValueMap : IReadOnlyDictionary<string, string>, IEquatable<ValueMap>
{
    private readonly KeyValuePair<string, string>[] _ordered;
    private readonly Dictionary<string, string> _lookup;

    /// <summary>Copies the pairs; later duplicates of a key are rejected by the validator before this.</summary>
    public ValueMap(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        _ordered = [.. pairs];
        _lookup = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in _ordered) _lookup[k] = v;
    }

    /// <summary>The empty map.</summary>
    public static ValueMap Empty { get; } = new([]);

    /// <inheritdoc />
    public string this[string key] => _lookup[key];

    /// <inheritdoc />
    public IEnumerable<string> Keys => _ordered.Select(p => p.Key);

    /// <inheritdoc />
    public IEnumerable<string> Values => _ordered.Select(p => p.Value);

    /// <inheritdoc />
    public int Count => _ordered.Length;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _lookup.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, out string value) => _lookup.TryGetValue(key, out value!);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_ordered).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _ordered.GetEnumerator();

    /// <inheritdoc />
    public bool Equals(ValueMap? other) => other is not null && _ordered.SequenceEqual(other._ordered);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ValueMap);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var p in _ordered) h.Add(p);
        return h.ToHashCode();
    }
}
