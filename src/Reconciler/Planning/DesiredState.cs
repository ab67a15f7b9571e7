using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>Every resource identity at one commit, plus problems that could not be tied to an identity.</summary>
public sealed record DesiredState(string Commit, IReadOnlyDictionary<ResourceId, DesiredResource> Resources, IReadOnlyList<string> FileErrors)
{
    /// <summary>No resources at all.</summary>
    public static DesiredState Empty(string commit) => new(commit, new Dictionary<ResourceId, DesiredResource>(), []);
}
