using System.Globalization;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>
/// What one committed status file (<c>status/&lt;kind&gt;/&lt;namespace&gt;/&lt;name&gt;.yaml</c>) says
/// about its resource: the fields the planner needs to know what ran, read back from the YAML the
/// status publisher wrote.
/// </summary>
/// <param name="Path">Repository-relative path of the file.</param>
/// <param name="Id">The resource.</param>
/// <param name="Phase">status.phase.</param>
/// <param name="Generation">status.observedGeneration.</param>
/// <param name="Attempts">status.attempts.</param>
/// <param name="SourceRevision">status.sourceRevision: the commit whose spec this generation runs (null when absent).</param>
/// <param name="StartTime">status.startTime.</param>
/// <param name="CompletionTime">status.completionTime.</param>
public sealed record CommittedStatus(string Path, ResourceId Id, ResourcePhase Phase, long Generation, int Attempts, string? SourceRevision,
    DateTimeOffset? StartTime, DateTimeOffset? CompletionTime)
{
    /// <summary>Reads a status file's text; null with <paramref name="problem"/> set when it is not one the daemon wrote.</summary>
    public static CommittedStatus? Parse(string path, string text, out string? problem)
    {
        problem = null;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                problem = $"{path}: not a status file (no YAML mapping); the daemon rewrites it on its next cycle";
                return null;
            }
            var metadata = root.Children.TryGetValue("metadata", out var m) ? m as YamlMappingNode : null;
            var status = root.Children.TryGetValue("status", out var s) ? s as YamlMappingNode : null;
            var kind = Scalar(root, "kind");
            var name = metadata is null ? null : Scalar(metadata, "name");
            var ns = metadata is null ? null : Scalar(metadata, "namespace");
            if (kind is null || name is null || ns is null || status is null
                || !Enum.TryParse<ResourcePhase>(Scalar(status, "phase"), ignoreCase: false, out var phase))
            {
                problem = $"{path}: kind, metadata.name, metadata.namespace or status.phase is missing or unknown; the daemon rewrites it on its next cycle";
                return null;
            }
            return new CommittedStatus(path, new ResourceId(kind, ns, name), phase,
                long.TryParse(Scalar(status, "observedGeneration"), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0,
                int.TryParse(Scalar(status, "attempts"), NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : 0,
                Scalar(status, "sourceRevision"), Time(status, "startTime"), Time(status, "completionTime"));
        }
        catch (YamlException e)
        {
            problem = $"{path}: not valid YAML ({e.Start.Line}:{e.Start.Column}: {e.Message}); the daemon rewrites it on its next cycle";
            return null;
        }
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var v) && v is YamlScalarNode { Value: { } text } ? text : null;

    private static DateTimeOffset? Time(YamlMappingNode node, string key) =>
        DateTimeOffset.TryParse(Scalar(node, key), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
