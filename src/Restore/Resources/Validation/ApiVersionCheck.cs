using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>Tells a near miss of our apiVersion (a typo, a case variant, another version of our group) from
/// a foreign one (a Kubernetes Deployment in the repository), so a typo is an error and never a silent skip.</summary>
internal static class ApiVersionCheck
{
    private static readonly string Group = ApiVersions.V1Alpha1[..ApiVersions.V1Alpha1.IndexOf('/', StringComparison.Ordinal)];

    /// <summary>The UnknownApiVersion message for <paramref name="apiVersion"/>, or null when it is not close to ours.</summary>
    public static string? NearMissMessage(string apiVersion)
    {
        if (apiVersion == ApiVersions.V1Alpha1 || apiVersion.Length > 100) return null;
        var lowered = apiVersion.ToLowerInvariant();
        var slash = lowered.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? lowered : lowered[..slash];
        var caseOnly = lowered == ApiVersions.V1Alpha1;
        var groupNear = Suggestions.Distance(group, Group) <= 2;
        if (!caseOnly && !groupNear && Suggestions.Distance(lowered, ApiVersions.V1Alpha1) > 3) return null;
        var what = apiVersion.StartsWith(Group + "/", StringComparison.Ordinal)
            ? $"apiVersion \"{MapReader.Truncate(apiVersion)}\" is a version of {Group} that kafka-restored does not serve (it serves only {ApiVersions.V1Alpha1})"
            : $"apiVersion \"{MapReader.Truncate(apiVersion)}\" is not {ApiVersions.V1Alpha1}, the only apiVersion kafka-restored serves";
        return what + $"; did you mean \"{ApiVersions.V1Alpha1}\"?" + (caseOnly ? " (apiVersion is case-sensitive)" : "") +
            "; the document is not executed and gets no status file until its apiVersion is fixed";
    }

    /// <summary>True when <paramref name="kind"/> is one of our kinds or a near miss of one.</summary>
    public static bool LooksLikeOurKind(string? kind) =>
        kind is not null && (ResourceKinds.All.Contains(kind) || Suggestions.Closest(kind, ResourceKinds.All) is not null);
}
