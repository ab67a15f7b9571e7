namespace KafkaRestored.Restore.Storage;

/// <summary>Validation of storage keys shared by the backends.</summary>
internal static class StorageKeys
{
    /// <summary>Whether <paramref name="key"/> is relative, '/'-separated and has no empty, "." or ".." segment.</summary>
    public static bool IsSafe(string key) =>
        !string.IsNullOrEmpty(key) && !key.StartsWith('/') && !key.Contains('\\', StringComparison.Ordinal) && !key.Contains('\0', StringComparison.Ordinal)
        && key.Split('/').All(s => s.Length > 0 && s != "." && s != "..");

    /// <summary>Rejects keys that are empty, absolute, or contain empty, "." or ".." segments.</summary>
    public static void Validate(string key, string what = "key")
    {
        if (string.IsNullOrEmpty(key))
            throw new ArgumentException($"storage {what} must not be empty", nameof(key));
        if (key.StartsWith('/') || key.Contains('\\', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException($"storage {what} '{key}' must be relative and '/'-separated", nameof(key));
        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
                throw new ArgumentException($"storage {what} '{key}' has an empty, '.' or '..' segment and could escape the storage root", nameof(key));
        }
    }
}
