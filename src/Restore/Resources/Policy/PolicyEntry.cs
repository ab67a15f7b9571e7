namespace KafkaRestored.Restore.Resources.Policy;

/// <summary>
/// One namespace's entry of the host policy (settings <c>Policy:&lt;namespace&gt;</c>): what resources
/// of that namespace may reach. Every list is optional; an empty list allows nothing of its kind.
/// </summary>
public sealed class PolicyEntry
{
    /// <summary>Secret name patterns; <c>@ambient</c> stands for the host's own credentials (the AWS SDK default chain, the Azure SDK default credential).</summary>
    public IList<string> Secrets { get; init; } = [];

    /// <summary>Bootstrap <c>host:port</c> patterns (compared case-insensitively).</summary>
    public IList<string> Clusters { get; init; } = [];

    /// <summary>S3 location patterns matched against <c>&lt;endpoint&gt;/&lt;bucket&gt;/&lt;prefix&gt;</c> (endpoint <c>aws</c> when none is given).</summary>
    public IList<string> S3 { get; init; } = [];

    /// <summary>Azure Blob Storage location patterns matched against <c>&lt;endpoint&gt;/&lt;account&gt;/&lt;container&gt;/&lt;prefix&gt;</c> (endpoint <c>azure</c> when none is given).</summary>
    public IList<string> Azure { get; init; } = [];

    /// <summary>Google Cloud Storage location patterns matched against <c>&lt;endpoint&gt;/&lt;bucket&gt;/&lt;prefix&gt;</c> (endpoint <c>gcs</c> when none is given).</summary>
    public IList<string> Gcs { get; init; } = [];

    /// <summary>Absolute folder roots; a filesystem backup path must be at or under one (<c>*</c> allows every folder).</summary>
    public IList<string> Folders { get; init; } = [];

    /// <summary>Internal topic patterns (<c>__*</c>, <c>_schemas</c>) a restore may write into.</summary>
    public IList<string> InternalTopics { get; init; } = [];
}
