namespace KafkaRestored.Restore.Resources.Policy;

/// <summary>
/// The host's policy (settings section <c>Policy</c>), keyed by namespace, <c>*</c> for every
/// namespace: what committed resources may reach. Decided on the host, never in the repository.
/// </summary>
public sealed class HostPolicy
{
    /// <summary>The key whose entry applies to every namespace.</summary>
    public const string AnyNamespace = "*";

    /// <summary>The secret name that stands for the host's ambient credentials (the AWS SDK default chain, Azure's DefaultAzureCredential, Google's application default credentials).</summary>
    public const string AmbientSecret = "@ambient";

    private readonly IReadOnlyDictionary<string, PolicyEntry> _entries;

    /// <summary>Creates the policy from its entries (copied).</summary>
    public HostPolicy(IReadOnlyDictionary<string, PolicyEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = new Dictionary<string, PolicyEntry>(entries, StringComparer.Ordinal);
    }

    /// <summary>The policy of a settings section, or null when the settings have no <c>Policy</c>.</summary>
    public static HostPolicy? From(IDictionary<string, PolicyEntry>? settings) =>
        settings is null ? null : new HostPolicy(settings.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal));

    /// <summary>A policy that allows everything for every namespace (a single-team host, tests).</summary>
    public static HostPolicy AllowAll { get; } = new(new Dictionary<string, PolicyEntry>
    {
        [AnyNamespace] = new() { Secrets = ["*"], Clusters = ["*"], S3 = ["*"], Azure = ["*"], Gcs = ["*"], Folders = ["*"], InternalTopics = ["*"] },
    });

    /// <summary>The entries applying to <paramref name="ns"/>: its own and <c>*</c>'s, lists unioned.</summary>
    public PolicyEntry For(string ns)
    {
        var applying = new[] { _entries.GetValueOrDefault(ns), ns == AnyNamespace ? null : _entries.GetValueOrDefault(AnyNamespace) }
            .OfType<PolicyEntry>().ToList();
        return new PolicyEntry
        {
            Secrets = [.. applying.SelectMany(e => e.Secrets)],
            Clusters = [.. applying.SelectMany(e => e.Clusters)],
            S3 = [.. applying.SelectMany(e => e.S3)],
            Azure = [.. applying.SelectMany(e => e.Azure)],
            Gcs = [.. applying.SelectMany(e => e.Gcs)],
            Folders = [.. applying.SelectMany(e => e.Folders)],
            InternalTopics = [.. applying.SelectMany(e => e.InternalTopics)],
        };
    }

    /// <summary>The namespace keys, in ordinal order.</summary>
    public IReadOnlyList<string> Namespaces => [.. _entries.Keys.Order(StringComparer.Ordinal)];
}
