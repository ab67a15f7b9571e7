using System.Text.Json;
using System.Text.Json.Serialization;

namespace KafkaRestored.Restore.Backups;

/// <summary>The JSON conventions of backup metadata: snake_case, unknown fields ignored.</summary>
internal static class BackupJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
