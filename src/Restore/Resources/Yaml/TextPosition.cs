namespace KafkaRestored.Restore.Resources.Yaml;

/// <summary>A 1-based line and column in the file being loaded.</summary>
internal readonly record struct TextPosition(int Line, int Column);
