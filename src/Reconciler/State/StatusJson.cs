using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.State;

/// <summary>JSON form of resource statuses as kept in the state store (kind-tagged, camelCase).</summary>
public static class StatusJson
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    /// <summary>Serializes any status, tagged with its kind.</summary>
    public static string Serialize(ResourceStatus status) => JsonSerializer.Serialize(status, Options);

    /// <summary>Reads a status written by <see cref="Serialize"/>.</summary>
    public static ResourceStatus Deserialize(string json) =>
        JsonSerializer.Deserialize<ResourceStatus>(json, Options)
        ?? throw new JsonException("A stored status is null.");

    private static JsonSerializerOptions CreateOptions()
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(info =>
        {
            if (info.Type != typeof(ResourceStatus)) return;
            info.PolymorphismOptions = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "$kind" };
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(typeof(KafkaRestoreStatus), ResourceKinds.KafkaRestore));
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(typeof(KafkaOffsetResetStatus), ResourceKinds.KafkaOffsetReset));
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(typeof(KafkaOffsetRollbackStatus), ResourceKinds.KafkaOffsetRollback));
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(typeof(KafkaBackupStatus), ResourceKinds.KafkaBackup));
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(typeof(KafkaRestoreDrillStatus), ResourceKinds.KafkaRestoreDrill));
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(typeof(UnservedKindStatus), "UnservedKind"));
        });
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = resolver,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.Converters.Add(new UtcTimeConverter());
        options.Converters.Add(new ValueListConverterFactory());
        return options;
    }

    /// <summary>Times as RFC 3339 UTC with a Z, like Kubernetes writes them ("2024-12-01T12:30:00Z").</summary>
    private sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Format(value));
    }

    /// <summary>A time as the status files write it.</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A status as a JSON tree (for rendering to YAML).</summary>
    public static System.Text.Json.Nodes.JsonObject ToNode(ResourceStatus status) =>
        JsonSerializer.SerializeToNode(status, Options)!.AsObject();

    private sealed class ValueListConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(ValueList<>);

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(ValueListConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
    }

    private sealed class ValueListConverter<T> : JsonConverter<ValueList<T>>
    {
        public override ValueList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(JsonSerializer.Deserialize<List<T>>(ref reader, options) ?? []);

        public override void Write(Utf8JsonWriter writer, ValueList<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.ToList(), options);
    }
}
