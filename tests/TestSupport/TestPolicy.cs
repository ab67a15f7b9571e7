using KafkaRestored.Restore.Resources.Policy;

namespace KafkaRestored.TestSupport;

/// <summary>
/// An explicit allow-all host policy for tests whose subject is not the policy: since issue 19 a
/// daemon without one executes nothing (secure by default), so their harnesses must say so.
/// </summary>
public static class TestPolicy
{
    /// <summary>A fresh allow-all <c>Policy</c> for ReconcilerOptions (every list <c>*</c> under namespace <c>*</c>).</summary>
    public static Dictionary<string, PolicyEntry> AllowAll() => new()
    {
        ["*"] = new PolicyEntry { Secrets = ["*"], Clusters = ["*"], S3 = ["*"], Azure = ["*"], Gcs = ["*"], Folders = ["*"], InternalTopics = ["*"] },
    };

    /// <summary>The same policy as environment variables of a daemon process (KAFKA_RESTORED_Policy__*__Clusters__0=*...).</summary>
    public static IReadOnlyDictionary<string, string?> AllowAllEnvironment { get; } = new Dictionary<string, string?>
    {
        ["KAFKA_RESTORED_Policy__*__Secrets__0"] = "*",
        ["KAFKA_RESTORED_Policy__*__Clusters__0"] = "*",
        ["KAFKA_RESTORED_Policy__*__S3__0"] = "*",
        ["KAFKA_RESTORED_Policy__*__Azure__0"] = "*",
        ["KAFKA_RESTORED_Policy__*__Gcs__0"] = "*",
        ["KAFKA_RESTORED_Policy__*__Folders__0"] = "*",
        ["KAFKA_RESTORED_Policy__*__InternalTopics__0"] = "*",
    };

    /// <summary>The same policy as a settings-file member, to put inside a JSON object: <c>"Policy": {...}</c>.</summary>
    public const string AllowAllJson =
        "\"Policy\": {\"*\": {\"Secrets\": [\"*\"], \"Clusters\": [\"*\"], \"S3\": [\"*\"], \"Azure\": [\"*\"], \"Gcs\": [\"*\"], \"Folders\": [\"*\"], \"InternalTopics\": [\"*\"]}}";

    /// <summary><paramref name="environment"/> plus <see cref="AllowAllEnvironment"/>.</summary>
    public static Dictionary<string, string?> WithAllowAll(IReadOnlyDictionary<string, string?>? environment = null)
    {
        var result = new Dictionary<string, string?>(AllowAllEnvironment);
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) result[k] = v;
        return result;
    }
}
