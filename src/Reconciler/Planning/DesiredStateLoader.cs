using System.Security.Cryptography;
using System.Text;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Validation;
using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>
/// Reads the desired resources at a commit: resource files from the tree, parsed only when their
/// (path, blob id) was not parsed before, then combined so duplicate identities are found across
/// the whole repository, not per file.
/// </summary>
public sealed class DesiredStateLoader
{
    private readonly GitSource _git;
    private readonly bool _evaluatePolicy;
    private readonly HostPolicy? _policy;
    private Dictionary<RepoFile, ParsedFile> _parsed = [];
    private long _blobsParsed;

    /// <summary>Creates a loader reading through <paramref name="git"/> that does not evaluate a host policy (parsing and validation only).</summary>
    public DesiredStateLoader(GitSource git) => _git = git;

    /// <summary>
    /// Creates a loader that also evaluates <paramref name="policy"/> (null: the settings have none,
    /// so nothing is allowed) every time it loads: denied resources carry their denials.
    /// </summary>
    public DesiredStateLoader(GitSource git, HostPolicy? policy)
    {
        _git = git;
        _evaluatePolicy = true;
        _policy = policy;
    }

    /// <summary>Blobs parsed since start (a cycle without changed files adds none).</summary>
    public long BlobsParsed => Interlocked.Read(ref _blobsParsed);

    /// <summary>The desired state at <paramref name="commit"/>.</summary>
    public DesiredState Load(string commit)
    {
        var files = _git.ListResourceFiles(commit);
        var next = new Dictionary<RepoFile, ParsedFile>(files.Count);
        foreach (var file in files)
        {
            if (!_parsed.TryGetValue(file, out var parsed))
            {
                parsed = Parse(file);
                Interlocked.Increment(ref _blobsParsed);
            }
            next[file] = parsed;
        }
        _parsed = next;
        var result = ResourceLoader.Combine(files.Select(f => next[f]));
        return _evaluatePolicy ? Build(commit, result, _policy) : Build(commit, result);
    }

    /// <summary>
    /// Parses one blob. Symbolic links are never followed (the tree holds only the target path, which
    /// could lead out of the repository), binary blobs are not parsed as YAML, and blobs over the file
    /// cap are not read: each is reported as a file problem naming the path.
    /// </summary>
    private ParsedFile Parse(RepoFile file)
    {
        if (file.IsSymlink) return ResourceLoader.SymlinkNotFollowed(file.Path, _git.ReadBlob(file.BlobId));
        var (size, binary) = _git.DescribeBlob(file.BlobId);
        // UTF-8 takes at most four bytes per character, so more bytes than four times the cap is surely too many.
        if (size > 4L * ResourceLimits.MaxFileChars) return ResourceLoader.TooLarge(file.Path, $"{size:N0} bytes");
        if (binary) return ResourceLoader.Binary(file.Path, size);
        return ResourceLoader.ParseFile(file.Path, _git.ReadBlob(file.BlobId));
    }

    /// <summary>Turns a load result into desired resources: valid ones with their spec hash, and invalid or duplicated identities with every error. No host policy is evaluated.</summary>
    public static DesiredState Build(string commit, LoadResult result) => Build(commit, result, null, evaluatePolicy: false);

    /// <summary>As <see cref="Build(string, LoadResult)"/>, with the denials of <paramref name="policy"/> (null: nothing is allowed) on each resource it denies.</summary>
    public static DesiredState Build(string commit, LoadResult result, HostPolicy? policy) => Build(commit, result, policy, evaluatePolicy: true);

    private static DesiredState Build(string commit, LoadResult result, HostPolicy? policy, bool evaluatePolicy)
    {
        var resources = new Dictionary<ResourceId, DesiredResource>();
        foreach (var r in result.Resources)
        {
            var warnings = result.Diagnostics.Where(d => !d.IsError && d.Resource == r.Resource.Id).ToList();
            var hash = SpecHash(r.Resource);
            var denials = evaluatePolicy ? PolicyCheck.Diagnostics(r, PolicyEvaluator.Evaluate(policy, r.Resource)).Select(d => d.ToString()).ToList() : [];
            resources[r.Resource.Id] = new DesiredResource
            {
                Id = r.Resource.Id,
                Location = new SourceLocation(r.File, r.Line, r.Column),
                Resource = r.Resource,
                // A denied spec hashes apart from the same spec allowed: once the policy allows it, it is a change the planner acts on.
                SpecHash = denials.Count == 0 ? hash : "denied:" + Hash(hash + "\n" + string.Join("\n", denials)),
                ResourceSpecHash = hash,
                Denials = denials,
                RerunValue = r.Resource.Metadata.Annotations.TryGetValue(ObjectMeta.RerunAnnotation, out var rerun) ? rerun : null,
                Warnings = warnings,
            };
        }
        var fileErrors = new List<string>();
        foreach (var group in result.Diagnostics.Where(d => d.IsError).GroupBy(d => d.Resource))
        {
            if (group.Key is not { } id)
            {
                fileErrors.AddRange(group.Select(d => d.ToString()));
                continue;
            }
            var errors = group.Select(d => d.ToString()).ToList();
            var duplicates = group.Where(d => d.Code == DiagnosticCodes.DuplicateIdentity)
                .Select(d => new SourceLocation(d.File, d.Line, d.Column)).Distinct().ToList();
            var first = group.First();
            resources[id] = new DesiredResource
            {
                Id = id,
                Location = new SourceLocation(first.File, first.Line, first.Column),
                SpecHash = "invalid:" + Hash(string.Join("\n", errors)),
                Errors = errors,
                Duplicates = duplicates,
            };
        }
        return new DesiredState(commit, resources, fileErrors);
    }

    /// <summary>
    /// Identity of a spec: SHA-256 of the canonical YAML without labels, annotations, spec.suspend and
    /// spec.dependsOn (a rerun annotation, a label, suspending or reordering is not a spec change).
    /// </summary>
    public static string SpecHash(KafkaResource resource)
    {
        // podTemplate has no effect, so editing its content is no spec change (only adding or removing it is, as before).
        var effective = resource is KafkaRestore { Spec.PodTemplate: not null } r
            ? r with { Spec = r.Spec with { PodTemplate = PodTemplateSpec.Empty } }
            : resource;
        // Suspending must not start a new generation (attempts reset) nor count as an edit of a completed resource.
        return Hash(ResourceYaml.Serialize(effective with
        {
            Metadata = resource.Metadata with { Labels = ValueMap.Empty, Annotations = ValueMap.Empty },
            Suspend = false,
            DependsOn = ValueList<DependencyRef>.Empty,
        }));
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
