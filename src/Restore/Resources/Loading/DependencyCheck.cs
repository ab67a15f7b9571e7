using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Validation;

namespace KafkaRestored.Restore.Resources.Loading;

/// <summary>
/// Checks spec.dependsOn across one whole load (the repository): every entry must name a resource
/// some file defines, and no resource may depend on itself, directly or through others; a drill's
/// spec.backupRef must name a KafkaBackup some file defines. A resource failing any is taken out of
/// the runnable resources with an error at the field.
/// </summary>
internal static class DependencyCheck
{
    /// <summary><paramref name="result"/> with the dependency errors added; <paramref name="defined"/> holds every identity any document of the load has, valid or not.</summary>
    public static LoadResult Apply(LoadResult result, IReadOnlySet<ResourceId> defined)
    {
        var byId = result.Resources.ToDictionary(r => r.Resource.Id);
        var added = new List<Diagnostic>();
        foreach (var r in result.Resources)
        {
            var deps = r.Resource.DependsOn;
            for (var i = 0; i < deps.Count; i++)
            {
                if (defined.Contains(deps[i].Id)) continue;
                added.Add(Error(r, i, DiagnosticCodes.DependencyNotFound,
                    $"spec.dependsOn[{i}] names {deps[i].Id}, which no resource file defines; " +
                    "add that resource, correct the kind, name or namespace (namespace defaults to this resource's own), or remove the entry " +
                    "(validate the whole repository, not a single file, so every resource is seen)"));
            }
            if (BackupRefMissing(r, defined) is { } missing) added.Add(missing);
            if (ShortestCycle(r.Resource.Id, byId) is { } cycle)
            {
                var path = string.Join(" -> ", cycle.Path.Select(id => id.ToString()));
                added.Add(Error(r, cycle.FirstEntry, DiagnosticCodes.DependencyCycle,
                    $"spec.dependsOn[{cycle.FirstEntry}] makes a cycle: {path}; none of these can ever start: remove one of the entries"));
            }
        }
        if (added.Count == 0) return result;
        var failed = added.Select(d => d.Resource).ToHashSet();
        var fileOrder = result.Diagnostics.Select(d => d.File).Concat(result.Resources.Select(r => r.File)).Distinct(StringComparer.Ordinal)
            .Select((f, i) => (f, i)).ToDictionary(x => x.f, x => x.i, StringComparer.Ordinal);
        var diagnostics = result.Diagnostics.Concat(added)
            .OrderBy(d => fileOrder.GetValueOrDefault(d.File)).ThenBy(d => d.Line).ThenBy(d => d.Column).ToList();
        return result with { Resources = [.. result.Resources.Where(r => !failed.Contains(r.Resource.Id))], Diagnostics = diagnostics };
    }

    private static Diagnostic Error(LoadedResource r, int entry, string code, string message) => Error(r, $"spec.dependsOn[{entry}]", code, message);

    private static Diagnostic Error(LoadedResource r, string field, string code, string message)
    {
        var (line, column) = r.PositionOf(field);
        return new Diagnostic(r.File, line, column, DiagnosticSeverity.Error, code, MapReader.Printable(message), r.Resource.Id);
    }

    /// <summary>A drill's spec.backupRef naming a KafkaBackup no document defines (one that is defined but invalid fails the drill's run instead, naming it).</summary>
    private static Diagnostic? BackupRefMissing(LoadedResource r, IReadOnlySet<ResourceId> defined)
    {
        if (r.Resource is not KafkaRestoreDrill { Spec.BackupRef: { } backupRef } drill) return null;
        var id = new ResourceId(ResourceKinds.KafkaBackup, backupRef.Namespace, backupRef.Name);
        if (defined.Contains(id)) return null;
        return Error(r, "spec.backupRef.name", DiagnosticCodes.BackupRefNotFound,
            $"spec.backupRef.name names {id}, which no resource file defines; add that KafkaBackup (in namespace {drill.Metadata.Namespace}, the drill's own), " +
            "correct the name, or name the backup with spec.backupId and spec.storage instead (validate the whole repository, not a single file, so every resource is seen)");
    }

    /// <summary>The shortest path from <paramref name="start"/> through its dependencies back to itself (breadth first), and which of its entries begins it; null when it is on no cycle.</summary>
    private static (IReadOnlyList<ResourceId> Path, int FirstEntry)? ShortestCycle(ResourceId start, Dictionary<ResourceId, LoadedResource> byId)
    {
        var parent = new Dictionary<ResourceId, ResourceId>();
        var queue = new Queue<ResourceId>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var at = queue.Dequeue();
            if (!byId.TryGetValue(at, out var r)) continue;
            foreach (var dep in r.Resource.DependsOn)
            {
                if (dep.Id == start)
                {
                    var path = new List<ResourceId> { at };
                    for (var step = at; step != start;) path.Insert(0, step = parent[step]);
                    path.Add(start);
                    var first = byId[start].Resource.DependsOn.Select((d, n) => (d, n)).First(x => x.d.Id == path[1]).n;
                    return (path, first);
                }
                if (!parent.TryAdd(dep.Id, at)) continue;
                queue.Enqueue(dep.Id);
            }
        }
        return null;
    }
}
