using System.Text.RegularExpressions;

namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>Name rules: DNS-1123 for resource names (they become status file paths), Kafka's for topics.</summary>
public static partial class Names
{
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex(@"^[a-zA-Z0-9._-]+\z")]
    private static partial Regex TopicChars();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\z")]
    private static partial Regex SnapshotChars();

    [GeneratedRegex(@"^[-._a-zA-Z0-9]+\z")]
    private static partial Regex SecretKeyChars();

    [GeneratedRegex(@"^[A-Z][A-Za-z0-9]{0,62}\z")]
    private static partial Regex KindChars();

    /// <summary>Longest snapshot id: snapshots/&lt;id&gt;.yaml must fit a 255-byte file name.</summary>
    public const int MaxSnapshotIdLength = 250;

    /// <summary>Lower case letters, digits, '-' and '.', starting and ending alphanumeric, at most 253 characters.</summary>
    public static bool IsDns1123Subdomain(string s) => s.Length is > 0 and <= 253 && Dns1123Subdomain().IsMatch(s);

    /// <summary>Kafka's legal topic names: letters, digits, '.', '_', '-', at most 249, not "." or "..".</summary>
    public static bool IsTopicName(string s) => s.Length is > 0 and <= 249 && s is not "." and not ".." && TopicChars().IsMatch(s);

    /// <summary>Letters, digits, '.', '_', '-', alphanumeric at both ends: safe as a file name.</summary>
    public static bool IsSnapshotId(string s) => s.Length is > 0 and <= MaxSnapshotIdLength && SnapshotChars().IsMatch(s);

    /// <summary>A Kubernetes secret data key: letters, digits, '-', '_', '.', not "." or "..".</summary>
    public static bool IsSecretKey(string s) => s.Length is > 0 and <= 253 && s is not "." and not ".." && SecretKeyChars().IsMatch(s);

    /// <summary>A kind spelling safe to use in a status path, even when the kind is unknown.</summary>
    public static bool IsKindLike(string s) => KindChars().IsMatch(s);

    /// <summary>A backup id usable as one path segment of a storage key.</summary>
    public static bool IsBackupId(string s) =>
        s.Length is > 0 and <= 255 && s is not "." and not ".." && s.Trim() == s
        && !s.Any(c => c is '/' or '\\' || char.IsControl(c));

    /// <summary>A consumer group id: any text without control characters, at most 255 characters.</summary>
    public static bool IsGroupId(string s) => s.Length is > 0 and <= 255 && !s.Any(char.IsControl);
}
