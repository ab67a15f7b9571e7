using KafkaRestored.Restore.Resources.Validation;

namespace KafkaRestored.Restore.Resources.Loading;

/// <summary>One file parsed and validated on its own, before duplicate identities across files are checked.
/// Immutable, so a caller may cache it per blob and pass it to <see cref="ResourceLoader.Combine"/> again.</summary>
public sealed class ParsedFile
{
    internal ParsedFile(string file, IReadOnlyList<ParsedDocument> documents, IReadOnlyList<Diagnostic> fileDiagnostics)
    {
        File = file;
        Documents = documents;
        FileDiagnostics = fileDiagnostics;
    }

    /// <summary>The path used in diagnostics.</summary>
    public string File { get; }

    internal IReadOnlyList<ParsedDocument> Documents { get; }

    internal IReadOnlyList<Diagnostic> FileDiagnostics { get; }
}
