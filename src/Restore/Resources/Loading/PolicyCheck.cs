using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Validation;

namespace KafkaRestored.Restore.Resources.Loading;

/// <summary>Places host policy denials of loaded resources at the file, line and column of the field each concerns.</summary>
public static class PolicyCheck
{
    /// <summary>The denials of <paramref name="resource"/> as <see cref="DiagnosticCodes.PolicyDenied"/> errors at their fields.</summary>
    public static IReadOnlyList<Diagnostic> Diagnostics(LoadedResource resource, IEnumerable<PolicyDenial> denials)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return [.. denials.Select(d =>
        {
            var (line, column) = resource.PositionOf(d.FieldPath);
            return new Diagnostic(resource.File, line, column, DiagnosticSeverity.Error, DiagnosticCodes.PolicyDenied,
                MapReader.Printable(d.Message), resource.Resource.Id);
        })];
    }

    /// <summary>
    /// <paramref name="result"/> with every resource <paramref name="evaluate"/> denies taken out of
    /// the runnable resources and its denials added as errors, in file and line order.
    /// </summary>
    public static LoadResult Apply(LoadResult result, Func<KafkaResource, IReadOnlyList<PolicyDenial>> evaluate)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(evaluate);
        var kept = new List<LoadedResource>();
        var added = new List<Diagnostic>();
        foreach (var r in result.Resources)
        {
            var denials = evaluate(r.Resource);
            if (denials.Count == 0) kept.Add(r);
            else added.AddRange(Diagnostics(r, denials));
        }
        if (added.Count == 0) return result;
        var fileOrder = result.Diagnostics.Select(d => d.File).Concat(result.Resources.Select(r => r.File)).Distinct(StringComparer.Ordinal)
            .Select((f, i) => (f, i)).ToDictionary(x => x.f, x => x.i, StringComparer.Ordinal);
        var diagnostics = result.Diagnostics.Concat(added)
            .OrderBy(d => fileOrder.GetValueOrDefault(d.File)).ThenBy(d => d.Line).ThenBy(d => d.Column).ToList();
        return result with { Resources = kept, Diagnostics = diagnostics };
    }
}
