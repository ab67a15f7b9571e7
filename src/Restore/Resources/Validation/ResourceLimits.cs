namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>Caps that keep hostile or broken input from exhausting time or memory.</summary>
public static class ResourceLimits
{
    /// <summary>Largest file read, in characters (32 Mi); bigger files are reported, not parsed.</summary>
    public const int MaxFileChars = 32 * 1024 * 1024;

    /// <summary>Largest resource document, in characters (1 Mi). Documents of other apiVersions stream
    /// through without this cap, since they are never kept.</summary>
    public const int MaxDocumentChars = 1024 * 1024;

    /// <summary>Most nodes in one resource document, counting every node an alias expands to.</summary>
    public const int MaxDocumentNodes = 100_000;

    /// <summary>Deepest collection nesting in a resource document (the schema needs 6).</summary>
    public const int MaxDepth = 64;

    /// <summary>Deepest nesting tolerated in documents of other apiVersions (the YAML scanner is
    /// quadratic in flow nesting depth, so some cap is needed everywhere).</summary>
    public const int MaxForeignDepth = 1000;
}
