namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>How bad a diagnostic is: errors stop a resource from running, warnings do not.</summary>
public enum DiagnosticSeverity
{
    /// <summary>The document (or file) cannot be used; nothing of it is executed.</summary>
    Error,

    /// <summary>Worth a look, but the resource is valid and runs.</summary>
    Warning,
}
