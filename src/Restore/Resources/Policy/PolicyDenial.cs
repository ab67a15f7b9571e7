using KafkaRestored.Restore.Failures;

namespace KafkaRestored.Restore.Resources.Policy;

/// <summary>
/// One reference of a resource the host policy does not allow: the YAML field it concerns (e.g.
/// <c>spec.targetCluster.bootstrapServers[0]</c>), the reference in words (e.g. <c>cluster 127.0.0.1:19092</c>),
/// the setting that would allow it (e.g. <c>Policy:team-b:Clusters</c>) and a message naming the
/// namespace, the reference and that setting.
/// </summary>
public sealed record PolicyDenial(string FieldPath, string Reference, string Setting, string Message)
{
    /// <summary>Failure and condition reason of a denied resource; also the validate diagnostic code.</summary>
    public const string Reason = nameof(FailureReason.PolicyDenied);

    /// <inheritdoc />
    public override string ToString() => $"{FieldPath}: {Message}";
}
