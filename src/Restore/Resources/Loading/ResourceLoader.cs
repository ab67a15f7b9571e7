using KafkaRestored.Restore.Resources.Validation;
using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Restore.Resources.Loading;

/// <summary>Loads resource documents from text, files or directory trees: strict validation with every
/// problem reported at its file, line and column, and duplicate identities detected across the load.</summary>
public static class ResourceLoader
{
    /// <summary>Parses and validates one file's content (any number of YAML documents). <paramref name="file"/> is
    /// the path used in diagnostics. Documents of other apiVersions are skipped.</summary>
    public static ParsedFile ParseFile(string file, string text)
    {
        if (text.Length > ResourceLimits.MaxFileChars) return TooLarge(file, $"{text.Length:N0} characters");
        // A byte order mark left in the text by a caller that decoded without detecting it: YAML allows one at the start.
        if (text.StartsWith('\uFEFF')) text = text[1..];
        var docs = new List<ParsedDocument>();
        foreach (var raw in YamlDocumentReader.Read(text))
        {
            if (ResourceValidator.Validate(file, raw) is { } doc) docs.Add(doc);
        }
        return new ParsedFile(file, docs, []);
    }

    /// <summary>Merges parsed files in the given order and reports duplicate identities: every place a
    /// (kind, namespace, name) appears more than once is reported, and none of those resources is returned.
    /// Then checks spec.dependsOn across the load (<see cref="DependencyCheck"/>).</summary>
    public static LoadResult Combine(IEnumerable<ParsedFile> files) => CombineFiles(files, checkDependencies: true);

    private static LoadResult CombineFiles(IEnumerable<ParsedFile> files, bool checkDependencies)
    {
        var list = files.ToList();
        var docs = list.SelectMany(f => f.Documents.Select(d => (File: f.File, Doc: d))).ToList();
        var duplicates = docs
            .Where(d => d.Doc.Id is not null)
            .GroupBy(d => d.Doc.Id!.Value)
            .Where(g => g.Count() > 1)
            .ToDictionary(g => g.Key, g => g.ToList());

        var resources = new List<LoadedResource>();
        var diagnostics = new List<Diagnostic>();
        foreach (var f in list)
        {
            var fileDiagnostics = new List<Diagnostic>(f.FileDiagnostics);
            foreach (var doc in f.Documents)
            {
                fileDiagnostics.AddRange(doc.Diagnostics);
                if (doc.Id is { } id && duplicates.TryGetValue(id, out var places))
                {
                    var others = places.Where(p => !ReferenceEquals(p.Doc, doc))
                        .Select(p => $"{p.File}:{p.Doc.Line}:{p.Doc.Column}").ToList();
                    var where = others.Count <= 3
                        ? string.Join(", ", others)
                        : $"{string.Join(", ", others.Take(3))} and {others.Count - 3} more places";
                    fileDiagnostics.Add(new Diagnostic(f.File, doc.Line, doc.Column, DiagnosticSeverity.Error,
                        DiagnosticCodes.DuplicateIdentity,
                        $"{id} is also defined at {where}; none of them is used until each has its own " +
                        "metadata.name (or metadata.namespace)", id));
                    continue;
                }
                if (doc.Resource is not null) resources.Add(new LoadedResource(doc.Resource, f.File, doc.Line, doc.Column) { Fields = doc.Fields });
            }
            diagnostics.AddRange(fileDiagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column));
        }
        var defined = docs.Where(d => d.Doc.Id is not null).Select(d => d.Doc.Id!.Value).ToHashSet();
        var result = new LoadResult(resources, diagnostics) { FileCount = list.Count };
        return checkDependencies ? DependencyCheck.Apply(result, defined) : result;
    }

    /// <summary>Loads one file's content: <see cref="ParseFile"/> then <see cref="Combine"/>.</summary>
    public static LoadResult LoadText(string file, string text) => Combine([ParseFile(file, text)]);

    /// <summary>Loads files and directory trees (*.yaml, *.yml; each tree in sorted order), skipping the
    /// daemon's status/ and snapshots/ folders and hidden entries.</summary>
    public static LoadResult LoadPaths(IEnumerable<string> paths) => LoadPaths(paths, ResourceLoadOptions.Default);

    /// <summary>Loads files and directory trees with explicit options. A path that does not exist is a
    /// <see cref="DiagnosticCodes.PathNotFound"/> error.</summary>
    public static LoadResult LoadPaths(IEnumerable<string> paths, ResourceLoadOptions options)
    {
        var parsed = new List<ParsedFile>();
        var problems = new List<Diagnostic>();
        foreach (var file in EnumerateFiles(paths, options, problems))
        {
            parsed.Add(ReadFile(file));
        }
        var result = CombineFiles(parsed, options.CheckDependencies);
        return problems.Count == 0 ? result : result with { Diagnostics = [.. problems, .. result.Diagnostics] };
    }

    /// <summary>The resource files under the given paths, in load order, without repeats.</summary>
    public static IReadOnlyList<string> EnumerateFiles(IEnumerable<string> paths, ResourceLoadOptions options,
        ICollection<Diagnostic>? problems = null)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                if (seen.Add(Path.GetFullPath(path))) result.Add(path);
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in WalkDirectory(path, options, problems))
                {
                    if (seen.Add(Path.GetFullPath(file))) result.Add(file);
                }
            }
            else
            {
                problems?.Add(new Diagnostic(path, 1, 1, DiagnosticSeverity.Error, DiagnosticCodes.PathNotFound,
                    "no such file or directory", null));
            }
        }
        return result;
    }

    private static List<string> WalkDirectory(string root, ResourceLoadOptions options, ICollection<Diagnostic>? problems)
    {
        var excluded = new HashSet<string>(options.ExcludedDirectories.Select(Normalize), StringComparer.Ordinal);
        var files = new List<string>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = new DirectoryInfo(dir).EnumerateFileSystemInfos().ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var entry in entries)
            {
                if (entry.Name.StartsWith('.')) continue;
                // "validate ." prints restores/a.yaml rather than ./restores/a.yaml.
                var full = dir == "." ? entry.Name : Path.Combine(dir, entry.Name);
                if (entry is DirectoryInfo)
                {
                    // Symlinked folders are not followed: they could loop, or pull in files outside the repo.
                    if (entry.LinkTarget is not null) continue;
                    if (excluded.Contains(Normalize(Path.GetRelativePath(root, full)))) continue;
                    pending.Push(full);
                }
                else if (entry.Name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
                         || entry.Name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                {
                    // The daemon never follows a link committed to the repository, so validate does not either.
                    if (entry.LinkTarget is { } target)
                    {
                        foreach (var d in SymlinkNotFollowed(full, target).FileDiagnostics) problems?.Add(d);
                        continue;
                    }
                    files.Add(full);
                }
            }
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private static string Normalize(string relative) => relative.Replace('\\', '/').Trim('/');

    private static ParsedFile ReadFile(string file)
    {
        try
        {
            var info = new FileInfo(file);
            // UTF-8 takes at most four bytes per character, so more bytes than four times the cap is surely too many.
            if (info.Length > 4L * ResourceLimits.MaxFileChars) return TooLarge(file, $"{info.Length:N0} bytes");
            var bytes = File.ReadAllBytes(file);
            // Git's test for binary content (a NUL in the first 8,000 bytes), so validate agrees with the daemon.
            if (bytes.AsSpan(0, Math.Min(bytes.Length, 8000)).Contains((byte)0)) return Binary(file, bytes.Length);
            using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return ParseFile(file, reader.ReadToEnd());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ParsedFile(file, [], [new Diagnostic(file, 1, 1, DiagnosticSeverity.Error, DiagnosticCodes.FileUnreadable,
                $"the file cannot be read ({e.GetType().Name}: {e.Message})", null)]);
        }
    }

    /// <summary>A file that is not parsed, with one file-level error (no resource identity).</summary>
    public static ParsedFile FileProblem(string file, string code, string message) =>
        new(file, [], [new Diagnostic(file, 1, 1, DiagnosticSeverity.Error, code, message, null)]);

    /// <summary>A symbolic link: never followed, by the daemon (a committed link) or by validate (a link on disk).</summary>
    public static ParsedFile SymlinkNotFollowed(string file, string target) =>
        FileProblem(file, DiagnosticCodes.SymlinkNotFollowed,
            $"the file is a symbolic link to '{MapReader.Printable(MapReader.Truncate(target))}'; links are not followed " +
            "(they could lead out of the repository): commit the resource itself at this path");

    /// <summary>A file Git would call binary (a NUL, or mostly non-printable bytes, near its start), reported without being parsed.</summary>
    public static ParsedFile Binary(string file, long size) =>
        FileProblem(file, DiagnosticCodes.BinaryFile,
            $"the file holds binary data ({size:N0} bytes with NUL or non-printable bytes), not YAML text: commit the resource as UTF-8 text, " +
            "or rename the file so it does not end in .yaml/.yml");

    /// <summary>A file over <see cref="ResourceLimits.MaxFileChars"/>, reported without being parsed.</summary>
    public static ParsedFile TooLarge(string file, string size) =>
        new(file, [], [new Diagnostic(file, 1, 1, DiagnosticSeverity.Error, DiagnosticCodes.FileTooLarge,
            $"the file is {size}, over the limit of {ResourceLimits.MaxFileChars:N0} characters; resource files are small: " +
            "split it, or keep it out of the paths that are loaded", null)]);
}
