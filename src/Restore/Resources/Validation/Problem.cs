using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>A diagnostic before its file and resource are attached.</summary>
internal sealed record Problem(TextPosition At, DiagnosticSeverity Severity, string Code, string Message);
