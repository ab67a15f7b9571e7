using System.CommandLine;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Daemon.Cli;

/// <summary>The storage options shared by <c>backup</c> and <c>backup describe</c>: a folder, or an S3 location.</summary>
internal sealed class BackupLocationOptions
{
    public Option<string?> Path { get; } = new("--path") { Description = "Folder holding backups (filesystem storage)" };
    public Option<string?> S3Bucket { get; } = new("--s3-bucket") { Description = "S3 bucket holding backups" };
    public Option<string?> S3Prefix { get; } = new("--s3-prefix") { Description = "Key prefix inside the bucket" };
    public Option<string?> S3Region { get; } = new("--s3-region") { Description = "AWS region (default: the SDK's; us-east-1 with --s3-endpoint)" };
    public Option<string?> S3Endpoint { get; } = new("--s3-endpoint") { Description = "Endpoint of an S3-compatible store, e.g. http://minio:9000" };
    public Option<bool> S3ForcePathStyle { get; } = new("--s3-force-path-style") { Description = "Path-style URLs (most S3-compatible stores need it)" };
    public Option<string?> S3CredentialsSecret { get; } = new("--s3-credentials-secret") { Description = "Secret (folder under --secrets-dir) with the S3 keys; default: the AWS SDK credential chain" };
    public Option<string> S3AccessKeyKey { get; } = new("--s3-access-key-key") { Description = "Key of the access key id in that secret", DefaultValueFactory = _ => "accessKey" };
    public Option<string> S3SecretKeyKey { get; } = new("--s3-secret-key-key") { Description = "Key of the secret access key in that secret", DefaultValueFactory = _ => "secretKey" };
    public Option<string?> SecretsDir { get; } = new("--secrets-dir") { Description = "Folder of secrets as files: <dir>/<name>/<key>" };

    public IEnumerable<Option> All => [Path, S3Bucket, S3Prefix, S3Region, S3Endpoint, S3ForcePathStyle, S3CredentialsSecret, S3AccessKeyKey, S3SecretKeyKey, SecretsDir];

    /// <summary>Adds the options and a validator requiring exactly one of --path and --s3-bucket.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
        command.Validators.Add(result =>
        {
            var hasPath = result.GetValue(Path) is not null;
            var hasBucket = result.GetValue(S3Bucket) is not null;
            if (hasPath == hasBucket)
                result.AddError("give the storage as either --path DIR or --s3-bucket BUCKET (with --s3-prefix/--s3-region/--s3-endpoint), not both and not neither");
        });
    }

    /// <summary>The storage as the resource model spells it.</summary>
    public StorageSpec Spec(ParseResult r)
    {
        if (r.GetValue(Path) is { } path)
            return new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec(System.IO.Path.GetFullPath(path)));
        var secret = r.GetValue(S3CredentialsSecret) is { } name
            ? new S3CredentialsSecretRef(name, r.GetValue(S3AccessKeyKey)!, r.GetValue(S3SecretKeyKey)!)
            : null;
        return new StorageSpec(StorageType.S3, new S3StorageSpec(
            r.GetValue(S3Bucket)!, r.GetValue(S3Region), r.GetValue(S3Prefix), r.GetValue(S3Endpoint), r.GetValue(S3ForcePathStyle), secret), null);
    }
}
