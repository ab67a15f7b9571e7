using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>Turns one YAML document into a validated resource, reporting every problem at its node.
/// The one place where resource documents are checked; execution code only sees its output.</summary>
internal static class ResourceValidator
{
    private static readonly string[] TopFields = ["apiVersion", "kind", "metadata", "spec", "status"];
    private static readonly string[] MetadataFields = ["name", "namespace", "labels", "annotations"];

    /// <summary>Validates one document; null when the document is not ours and carries nothing to say.</summary>
    public static ParsedDocument? Validate(string file, RawDocument raw)
    {
        if (raw.Foreign) return Foreign(file, raw);

        var ctx = new ValidationContext();
        foreach (var p in raw.Problems) ctx.Add(p);
        if (!raw.Complete || raw.Root is not YMapping root)
            return Document(file, raw.Start, PartialIdentity(raw.Root), null, ctx.Problems);

        var apiVersion = ScalarOf(root, "apiVersion");
        if (apiVersion != ApiVersions.V1Alpha1)
        {
            var kindText = ScalarOf(root, "kind");
            if (apiVersion is null && ApiVersionCheck.LooksLikeOurKind(kindText))
            {
                // Without apiVersion nothing would run, silently: as much a typo as a misspelt one.
                var error = new Problem(raw.Start, DiagnosticSeverity.Error, DiagnosticCodes.RequiredField,
                    $"this {MapReader.Truncate(kindText!)} has no apiVersion; add apiVersion: {ApiVersions.V1Alpha1} " +
                    "(the document is not executed and gets no status file until it has one)");
                return Document(file, raw.Start, null, null, [error]);
            }
            return null;
        }

        var top = MapReader.Open(ctx, root, "", raw.Start, TopFields)!;
        var kind = top.String("kind", required: true, hint: "one of " + string.Join(", ", ResourceKinds.All));
        var known = kind is not null && ResourceKinds.All.Contains(kind);
        if (kind is not null && !known)
        {
            ctx.Error(top.Value("kind")!.Start, DiagnosticCodes.UnknownKind, UnknownKindMessage(kind));
        }

        var meta = ReadMetadata(top);
        // Only the exact known kinds have an identity: a near miss must never reach the state record or status file of the resource it resembles.
        ResourceId? id = known && meta.Name is not null && meta.NamespaceValid
            ? new ResourceId(kind!, meta.Namespace, meta.Name)
            : null;

        if (top.Present("status"))
        {
            ctx.Warning(top.KeyAt("status"), DiagnosticCodes.IgnoredField,
                "status is written by the daemon under status/, never read from here; remove it from this file");
        }

        KafkaResource? resource = null;
        if (known)
        {
            var spec = top.Map("spec", SpecReaders.FieldsOf(kind!), required: true, hint: "every resource needs a spec");
            var name = meta.Name ?? "resource";
            object? parsedSpec = spec is null ? null : kind switch
            {
                ResourceKinds.KafkaRestore => SpecReaders.Restore(spec, name),
                ResourceKinds.KafkaOffsetReset => SpecReaders.OffsetReset(spec, name),
                ResourceKinds.KafkaBackup => SpecReaders.Backup(spec, name),
                ResourceKinds.KafkaRestoreDrill => SpecReaders.Drill(spec, meta.Namespace),
                _ => SpecReaders.OffsetRollback(spec),
            };
            var scheduling = spec is null ? default : SpecReaders.Scheduling(spec, meta.Namespace);
            if (ctx.ErrorCount == 0 && parsedSpec is not null && meta.Name is not null)
            {
                var objectMeta = new ObjectMeta(meta.Name, meta.Namespace, meta.Labels, meta.Annotations);
                resource = parsedSpec switch
                {
                    KafkaRestoreSpec s => new KafkaRestore(objectMeta, s),
                    KafkaOffsetResetSpec s => new KafkaOffsetReset(objectMeta, s),
                    KafkaOffsetRollbackSpec s => new KafkaOffsetRollback(objectMeta, s),
                    KafkaBackupSpec s => new KafkaBackup(objectMeta, s),
                    KafkaRestoreDrillSpec s => new KafkaRestoreDrill(objectMeta, s),
                    _ => null,
                };
                resource = resource is null ? null : resource with { Suspend = scheduling.Suspend, DependsOn = scheduling.DependsOn };
            }
        }

        var document = Document(file, raw.Start, id, resource, ctx.Problems);
        return resource is null ? document : document with { Fields = FieldPositions(root) };
    }

    /// <summary>A document outside our apiVersion: an error when its apiVersion is a near miss of ours (a typo,
    /// a case variant, another version of our group), a warning when it holds our resources nested in a List
    /// or sequence, otherwise nothing (the repository can hold other YAML).</summary>
    private static ParsedDocument? Foreign(string file, RawDocument raw)
    {
        if (raw.ApiVersion is { } other && ApiVersionCheck.NearMissMessage(other) is { } nearMiss)
        {
            var error = new Problem(raw.ApiVersionAt ?? raw.Start, DiagnosticSeverity.Error, DiagnosticCodes.UnknownApiVersion, nearMiss);
            return Document(file, raw.Start, null, null, [error]);
        }
        if (raw.NestedOurs > 0)
        {
            // kubectl get -o yaml prints a List; a hand-made file may be a YAML sequence of resources.
            var warning = new Problem(raw.Start, DiagnosticSeverity.Warning, DiagnosticCodes.IgnoredDocument,
                $"this document holds {raw.NestedOurs} {ApiVersions.V1Alpha1} resource(s) nested inside " +
                (raw.ApiVersion is null ? "a sequence" : "a List or another object") +
                ", which are not read; write each resource as its own document (separate them with ---)");
            return Document(file, raw.Start, null, null, [warning]);
        }
        return null;
    }

    /// <summary>Every field's position by dotted path (scalars at their value, mappings and lists at their key), so a later check (the host policy) can point at the field it concerns.</summary>
    private static Dictionary<string, TextPosition> FieldPositions(YMapping root)
    {
        var fields = new Dictionary<string, TextPosition>(StringComparer.Ordinal);
        void Walk(YNode node, string path, TextPosition keyAt)
        {
            if (path.Length > 0) fields.TryAdd(path, node is YScalar ? node.Start : keyAt);
            switch (node)
            {
                case YMapping map:
                    foreach (var (k, v) in map.Entries)
                    {
                        if (k is YScalar key) Walk(v, path.Length == 0 ? key.Value : $"{path}.{key.Value}", key.Start);
                    }
                    break;
                case YSequence seq:
                    for (var i = 0; i < seq.Items.Count; i++) Walk(seq.Items[i], $"{path}[{i}]", seq.Items[i].Start);
                    break;
            }
        }
        Walk(root, "", root.Start);
        return fields;
    }

    private sealed record Meta(string? Name, string Namespace, bool NamespaceValid, ValueMap Labels, ValueMap Annotations);

    private static Meta ReadMetadata(MapReader top)
    {
        var m = top.Map("metadata", MetadataFields, required: true, hint: "give at least metadata.name");
        if (m is null) return new Meta(null, ObjectMeta.DefaultNamespace, true, ValueMap.Empty, ValueMap.Empty);
        var name = m.String("name", required: true, hint: "a DNS-1123 name such as production-restore");
        if (name is not null && !Names.IsDns1123Subdomain(name))
        {
            m.Ctx.Error(m.Value("name")!.Start, DiagnosticCodes.InvalidName, Dns1123Message("metadata.name", name));
            name = null;
        }
        var ns = m.String("namespace");
        var nsValid = true;
        if (ns is not null && !Names.IsDns1123Subdomain(ns))
        {
            m.Ctx.Error(m.Value("namespace")!.Start, DiagnosticCodes.InvalidName, Dns1123Message("metadata.namespace", ns));
            nsValid = false;
        }
        else if (ns is null && m.Present("namespace") && m.Value("namespace") is not null)
        {
            nsValid = false; // present but not a usable string: already reported
        }
        var labels = m.StringMap("labels");
        var annotations = m.StringMap("annotations");
        return new Meta(name, ns ?? ObjectMeta.DefaultNamespace, nsValid,
            labels is null ? ValueMap.Empty : new ValueMap(labels.Select(l => KeyValuePair.Create(l.Key, l.Value))),
            annotations is null ? ValueMap.Empty : new ValueMap(annotations.Select(l => KeyValuePair.Create(l.Key, l.Value))));
    }

    /// <summary>The UnknownKind message: kinds match exactly (case-sensitive), with a did-you-mean for a near miss.</summary>
    internal static string UnknownKindMessage(string kind)
    {
        var suggestion = Suggestions.Closest(kind, ResourceKinds.All);
        var caseOnly = suggestion is not null && suggestion.Equals(kind, StringComparison.OrdinalIgnoreCase);
        return $"kind \"{MapReader.Truncate(kind)}\" is not one of {string.Join(", ", ResourceKinds.All)} under {ApiVersions.V1Alpha1}" +
            (suggestion is null ? "" : $"; did you mean \"{suggestion}\"?" + (caseOnly ? " (kinds are case-sensitive)" : "")) +
            "; the document is not executed and gets no status file until its kind is fixed";
    }

    internal static string Dns1123Message(string path, string value) =>
        $"{path} \"{MapReader.Truncate(value)}\" is not a DNS-1123 name: use lower case letters, digits, '-' and '.', " +
        "starting and ending with a letter or digit, at most 253 characters";

    private static ParsedDocument Document(string file, TextPosition start, ResourceId? id, KafkaResource? resource,
        IEnumerable<Problem> problems)
    {
        var diagnostics = problems
            .OrderBy(p => p.At.Line).ThenBy(p => p.At.Column)
            .Select(p => new Diagnostic(file, p.At.Line, p.At.Column, p.Severity, p.Code, MapReader.Printable(p.Message), id))
            .ToList();
        return new ParsedDocument(id, resource, start.Line, start.Column, diagnostics);
    }

    private static string? ScalarOf(YMapping map, string key)
    {
        foreach (var (k, v) in map.Entries)
        {
            if (k is YScalar ks && ks.Value == key) return v is YScalar vs && !vs.IsNull ? vs.Value : null;
        }
        return null;
    }

    private static YMapping? MappingOf(YMapping map, string key)
    {
        foreach (var (k, v) in map.Entries)
        {
            if (k is YScalar ks && ks.Value == key) return v as YMapping;
        }
        return null;
    }

    /// <summary>The identity of a document that could not be read to the end, from what was read,
    /// so the reconciler can still mark that resource Failed.</summary>
    private static ResourceId? PartialIdentity(YNode? root)
    {
        if (root is not YMapping map || ScalarOf(map, "apiVersion") != ApiVersions.V1Alpha1) return null;
        var kind = ScalarOf(map, "kind");
        var meta = MappingOf(map, "metadata");
        var name = meta is null ? null : ScalarOf(meta, "name");
        var ns = meta is null ? null : ScalarOf(meta, "namespace");
        if (kind is null || !ResourceKinds.All.Contains(kind) || name is null || !Names.IsDns1123Subdomain(name)) return null;
        if (ns is not null && !Names.IsDns1123Subdomain(ns)) return null;
        return new ResourceId(kind, ns ?? ObjectMeta.DefaultNamespace, name);
    }
}
