using System.Text.RegularExpressions;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Validation;

// SpecReaders for Storage: where a backup lives (S3, Azure Blob Storage, Google Cloud Storage or a folder).
internal static partial class SpecReaders
{
    private static readonly string[] StorageFields = ["storageType", "s3", "filesystem", "azure", "gcs"];

    /// <summary>The block each storage type needs; any other block given beside it is a conflict.</summary>
    private static readonly (StorageType Type, string Block, string Hint)[] StorageBlocks =
    [
        (StorageType.S3, "s3", "storageType s3 needs an s3 block with at least bucket"),
        (StorageType.Filesystem, "filesystem", "storageType filesystem needs filesystem.path"),
        (StorageType.Azure, "azure", "storageType azure needs an azure block with at least container and accountName"),
        (StorageType.Gcs, "gcs", "storageType gcs needs a gcs block with at least bucket"),
    ];

    private static readonly string[] S3Fields = ["bucket", "region", "prefix", "endpoint", "forcePathStyle", "credentialsSecret"];

    private static readonly string[] S3CredentialFields = ["name", "accessKeyKey", "secretKeyKey"];

    private static readonly string[] FilesystemFields = ["path"];

    private static StorageSpec? Storage(MapReader parent, bool required)
    {
        var m = parent.Map("storage", StorageFields, required, "say where the backup is (storageType s3, azure, gcs or filesystem)");
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var type = m.Enum("storageType", SpecVocabulary.StorageTypes, required: true);
        var s3 = S3(m);
        var fs = Filesystem(m);
        var azure = Azure(m);
        var gcs = Gcs(m);
        foreach (var (kind, block, hint) in StorageBlocks)
        {
            if (type != kind) continue;
            if (!m.Present(block)) m.Missing(block, hint);
            foreach (var (_, other, _) in StorageBlocks)
            {
                if (other == block || !m.Present(other)) continue;
                m.Ctx.Error(m.KeyAt(other), DiagnosticCodes.ConflictingFields,
                    $"{m.FieldPath(other)} is given but storageType is {block}; remove one of them");
            }
        }
        if (m.Ctx.ErrorCount > before) return null;
        return type switch
        {
            StorageType.S3 => new StorageSpec(StorageType.S3, s3, null),
            StorageType.Azure => new StorageSpec(StorageType.Azure, null, null, azure),
            StorageType.Gcs => new StorageSpec(StorageType.Gcs, null, null, Gcs: gcs),
            _ => new StorageSpec(StorageType.Filesystem, null, fs),
        };
    }

    private static S3StorageSpec? S3(MapReader storage)
    {
        var m = storage.Map("s3", S3Fields, required: false);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var bucket = m.String("bucket", required: true, hint: "name the S3 bucket holding the backups");
        if (bucket is not null && (bucket.Contains('/', StringComparison.Ordinal) || bucket.Contains(' ', StringComparison.Ordinal)))
        {
            m.Ctx.Error(m.Value("bucket")!.Start, DiagnosticCodes.InvalidS3Location,
                $"{m.FieldPath("bucket")} \"{MapReader.Truncate(bucket)}\" is not a bucket name: put the path inside the bucket in prefix");
        }
        // The SDK builds host names from the bucket and the region: only S3's own naming rules keep them inside
        // the endpoint (or AWS) that the host policy matched, whatever the committer wrote.
        else if (bucket is not null && !BucketName().IsMatch(bucket))
        {
            m.Ctx.Error(m.Value("bucket")!.Start, DiagnosticCodes.InvalidS3Location,
                $"{m.FieldPath("bucket")} \"{MapReader.Truncate(bucket)}\" is not an S3 bucket name: 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit");
        }
        var region = m.String("region");
        if (region is not null && !RegionName().IsMatch(region))
        {
            m.Ctx.Error(m.Value("region")!.Start, DiagnosticCodes.InvalidS3Location,
                $"{m.FieldPath("region")} \"{MapReader.Truncate(region)}\" is not a region name: lower-case letters, digits and '-' (e.g. us-east-1)");
        }
        var prefix = m.String("prefix");
        var endpoint = m.String("endpoint");
        // User info, a query or a fragment would let the written text and the host actually reached differ, which the host policy matches on.
        if (endpoint is not null && !IsPlainHttpUrl(endpoint))
        {
            m.Ctx.Error(m.Value("endpoint")!.Start, DiagnosticCodes.InvalidS3Location,
                $"{m.FieldPath("endpoint")} \"{MapReader.Truncate(endpoint)}\" is not an http(s) URL without user info, query or fragment (e.g. https://minio.example.com:9000)");
        }
        var pathStyle = m.Bool("forcePathStyle") ?? false;
        S3CredentialsSecretRef? credentials = null;
        var c = m.Map("credentialsSecret", S3CredentialFields);
        if (c is not null)
        {
            var name = SecretName(c, "the S3 access key");
            var access = SecretKey(c, "accessKeyKey", true, "the access key id");
            var secret = SecretKey(c, "secretKeyKey", true, "the secret access key");
            if (name is not null && access is not null && secret is not null) credentials = new S3CredentialsSecretRef(name, access, secret);
        }
        return m.Ctx.ErrorCount > before ? null : new S3StorageSpec(bucket!, region, prefix, endpoint, pathStyle, credentials);
    }

    private static FilesystemStorageSpec? Filesystem(MapReader storage)
    {
        var m = storage.Map("filesystem", FilesystemFields, required: false);
        if (m is null) return null;
        var path = m.String("path", required: true, hint: "the absolute folder holding the backups, e.g. /var/backups/kafka");
        if (path is null) return null;
        if (!path.StartsWith('/') || !Path.IsPathFullyQualified(path))
        {
            m.Ctx.Error(m.Value("path")!.Start, DiagnosticCodes.InvalidPath,
                $"{m.FieldPath("path")} \"{MapReader.Truncate(path)}\" is not an absolute path; a daemon has no meaningful working directory");
            return null;
        }
        return new FilesystemStorageSpec(path);
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\z")]
    private static partial Regex BucketName();

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\z")]
    private static partial Regex RegionName();
}
