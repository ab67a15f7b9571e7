namespace KafkaRestored.Reconciler.Planning;

/// <summary>Where a document starts: repository-relative file, 1-based line and column.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}";
}
