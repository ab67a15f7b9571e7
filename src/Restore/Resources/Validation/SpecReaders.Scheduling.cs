using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Restore.Resources.Validation;

// SpecReaders for the fields every kind has: spec.suspend and spec.dependsOn (extensions; docs/resources.md#suspend-and-dependson).
internal static partial class SpecReaders
{
    internal static readonly string[] SchedulingFields = ["suspend", "dependsOn"];

    private static readonly string[] DependencyFields = ["kind", "name", "namespace"];

    /// <summary>spec.suspend and spec.dependsOn; a dependency's namespace defaults to <paramref name="ownNamespace"/>.
    /// Whether each dependency exists, and cycles, are checked across the whole load (<see cref="Loading.DependencyCheck"/>).</summary>
    public static (bool Suspend, ValueList<DependencyRef> DependsOn) Scheduling(MapReader spec, string ownNamespace)
    {
        var suspend = spec.Bool("suspend") ?? false;
        var v = spec.Value("dependsOn");
        if (v is null) return (suspend, ValueList<DependencyRef>.Empty);
        var path = spec.FieldPath("dependsOn");
        if (v is not YSequence seq)
        {
            spec.Ctx.Error(v.Start, DiagnosticCodes.InvalidType,
                $"{path} must be a list of {{kind, name, namespace}} entries, not {v.Describe()}");
            return (suspend, ValueList<DependencyRef>.Empty);
        }
        spec.Ctx.CheckTag(seq, path);
        var result = new List<DependencyRef>();
        var seen = new Dictionary<ResourceId, int>();
        for (var i = 0; i < seq.Items.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            var m = MapReader.Open(spec.Ctx, seq.Items[i], itemPath, seq.Items[i].Start, DependencyFields);
            if (m is null || Dependency(m, ownNamespace) is not { } dep) continue;
            if (seen.TryGetValue(dep.Id, out var first))
            {
                spec.Ctx.Error(seq.Items[i].Start, DiagnosticCodes.DuplicateValue,
                    $"{itemPath} repeats {dep.Id} ({path}[{first}]); list it once");
                continue;
            }
            seen[dep.Id] = i;
            result.Add(dep);
        }
        return (suspend, new ValueList<DependencyRef>(result));
    }

    private static DependencyRef? Dependency(MapReader m, string ownNamespace)
    {
        var before = m.Ctx.ErrorCount;
        var kind = m.String("kind", required: true, hint: "one of " + string.Join(", ", ResourceKinds.All));
        if (kind is not null && !ResourceKinds.All.Contains(kind))
        {
            // Exact kinds only, as for a document's kind: a case variant would name a resource that cannot exist.
            var suggestion = Suggestions.Closest(kind, ResourceKinds.All);
            var caseOnly = suggestion is not null && suggestion.Equals(kind, StringComparison.OrdinalIgnoreCase);
            m.Ctx.Error(m.Value("kind")!.Start, DiagnosticCodes.UnknownKind,
                $"{m.FieldPath("kind")} \"{MapReader.Truncate(kind)}\" is not one of {string.Join(", ", ResourceKinds.All)}" +
                (suggestion is null ? "" : $"; did you mean \"{suggestion}\"?" + (caseOnly ? " (kinds are case-sensitive)" : "")));
        }
        var name = m.String("name", required: true, hint: "the metadata.name of the resource to wait for");
        if (name is not null && !Names.IsDns1123Subdomain(name))
            m.Ctx.Error(m.Value("name")!.Start, DiagnosticCodes.InvalidName, ResourceValidator.Dns1123Message(m.FieldPath("name"), name));
        var ns = m.String("namespace");
        if (ns is not null && !Names.IsDns1123Subdomain(ns))
            m.Ctx.Error(m.Value("namespace")!.Start, DiagnosticCodes.InvalidName, ResourceValidator.Dns1123Message(m.FieldPath("namespace"), ns));
        return m.Ctx.ErrorCount > before ? null : new DependencyRef(kind!, name!, ns ?? ownNamespace);
    }
}
