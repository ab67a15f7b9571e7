using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>One problem found while loading resources, with its exact place in the file.</summary>
/// <param name="File">The path as the caller named it (a repo-relative path for Git blobs).</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Code">A stable CamelCase code from <see cref="DiagnosticCodes"/>.</param>
/// <param name="Message">What is wrong and what to do, naming the field.</param>
/// <param name="Resource">Identity of the document the problem belongs to, when it is known and safe to use
/// (kind, and valid DNS-1123 name and namespace); null for file-level problems.</param>
public sealed record Diagnostic(
    string File,
    int Line,
    int Column,
    DiagnosticSeverity Severity,
    string Code,
    string Message,
    ResourceId? Resource)
{
    /// <summary>True for <see cref="DiagnosticSeverity.Error"/>.</summary>
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>The compiler-style form <c>FILE:LINE:COL: error|warning: CODE: message</c>.</summary>
    public override string ToString() =>
        $"{File}:{Line}:{Column}: {(IsError ? "error" : "warning")}: {Code}: {Message}";
}
