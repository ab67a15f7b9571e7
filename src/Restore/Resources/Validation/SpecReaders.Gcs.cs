using System.Text.RegularExpressions;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Validation;

// SpecReaders for storage.gcs: a Google Cloud Storage bucket (the operator's field names).
internal static partial class SpecReaders
{
    private static readonly string[] GcsFields = ["bucket", "prefix", "endpoint", "credentialsSecret"];

    private static readonly string[] GcsKeyFields = ["name", "serviceAccountJsonKey"];

    /// <summary>The default key of the service account's JSON key in gcs.credentialsSecret.</summary>
    internal const string DefaultServiceAccountJsonKey = "service-account.json";

    private static GcsStorageSpec? Gcs(MapReader storage)
    {
        var m = storage.Map("gcs", GcsFields, required: false);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        // The client puts the bucket in the request path: only GCS's naming rules keep a request inside the bucket the host policy matched.
        var bucket = m.String("bucket", required: true, hint: "name the GCS bucket holding the backups");
        if (bucket is not null && !GcsBucketName().IsMatch(bucket))
        {
            m.Ctx.Error(m.Value("bucket")!.Start, DiagnosticCodes.InvalidGcsLocation,
                $"{m.FieldPath("bucket")} \"{MapReader.Truncate(bucket)}\" is not a GCS bucket name: 3 to 63 lower-case letters, digits, '-', '_' and '.', starting and ending with a letter or digit; put a path inside the bucket in prefix");
        }
        var prefix = m.String("prefix");
        var endpoint = m.String("endpoint");
        if (endpoint is not null && !IsPlainHttpUrl(endpoint))
        {
            m.Ctx.Error(m.Value("endpoint")!.Start, DiagnosticCodes.InvalidGcsLocation,
                $"{m.FieldPath("endpoint")} \"{MapReader.Truncate(endpoint)}\" is not an http(s) URL without user info, query or fragment (e.g. https://storage.googleapis.com, or http://127.0.0.1:9199 for an emulator)");
        }
        GcsServiceAccountSecretRef? key = null;
        if (m.Map("credentialsSecret", GcsKeyFields) is { } c)
        {
            var name = SecretName(c, "the service account key");
            var jsonKey = SecretKey(c, "serviceAccountJsonKey", false, "the service account's JSON key") ?? DefaultServiceAccountJsonKey;
            if (name is not null) key = new GcsServiceAccountSecretRef(name, jsonKey);
        }
        return m.Ctx.ErrorCount > before ? null : new GcsStorageSpec(bucket!, prefix, endpoint, key);
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]\z")]
    private static partial Regex GcsBucketName();
}
