using System.CommandLine;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Daemon.Cli;

/// <summary>The storage options shared by <c>backup</c> and <c>backup describe</c>: a folder, an S3 location, an Azure container or a GCS bucket.</summary>
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
    public Option<string?> AzureContainer { get; } = new("--azure-container") { Description = "Azure Blob Storage container holding backups" };
    public Option<string?> AzureAccount { get; } = new("--azure-account") { Description = "Storage account of the container (required with --azure-container)" };
    public Option<string?> AzurePrefix { get; } = new("--azure-prefix") { Description = "Blob name prefix inside the container" };
    public Option<string?> AzureEndpoint { get; } = new("--azure-endpoint") { Description = "Blob service URL (default https://<account>.blob.core.windows.net), e.g. http://127.0.0.1:10000/devstoreaccount1 for Azurite" };
    public Option<string?> AzureCredentialsSecret { get; } = new("--azure-credentials-secret") { Description = "Secret (folder under --secrets-dir) with the account key; default: a SAS token secret, else the ambient DefaultAzureCredential" };
    public Option<string> AzureAccountKeyKey { get; } = new("--azure-account-key-key") { Description = "Key of the account key in that secret", DefaultValueFactory = _ => "AZURE_STORAGE_KEY" };
    public Option<string?> AzureSasTokenSecret { get; } = new("--azure-sas-token-secret") { Description = "Secret (folder under --secrets-dir) with a SAS token" };
    public Option<string> AzureSasTokenKey { get; } = new("--azure-sas-token-key") { Description = "Key of the SAS token in that secret", DefaultValueFactory = _ => "AZURE_SAS_TOKEN" };
    public Option<string?> GcsBucket { get; } = new("--gcs-bucket") { Description = "Google Cloud Storage bucket holding backups" };
    public Option<string?> GcsPrefix { get; } = new("--gcs-prefix") { Description = "Object name prefix inside the bucket" };
    public Option<string?> GcsEndpoint { get; } = new("--gcs-endpoint") { Description = "Root URL of a GCS JSON API (default https://storage.googleapis.com), e.g. an emulator's http://127.0.0.1:9199" };
    public Option<string?> GcsCredentialsSecret { get; } = new("--gcs-credentials-secret") { Description = "Secret (folder under --secrets-dir) with a service account's JSON key; default: the application default credentials" };
    public Option<string> GcsServiceAccountJsonKey { get; } = new("--gcs-service-account-json-key") { Description = "Key of the JSON key in that secret", DefaultValueFactory = _ => "service-account.json" };
    public Option<string?> SecretsDir { get; } = new("--secrets-dir") { Description = "Folder of secrets as files: <dir>/<name>/<key>" };

    public IEnumerable<Option> All => [Path, S3Bucket, S3Prefix, S3Region, S3Endpoint, S3ForcePathStyle, S3CredentialsSecret, S3AccessKeyKey, S3SecretKeyKey,
        AzureContainer, AzureAccount, AzurePrefix, AzureEndpoint, AzureCredentialsSecret, AzureAccountKeyKey, AzureSasTokenSecret, AzureSasTokenKey,
        GcsBucket, GcsPrefix, GcsEndpoint, GcsCredentialsSecret, GcsServiceAccountJsonKey, SecretsDir];

    /// <summary>Adds the options and a validator requiring exactly one of --path, --s3-bucket, --azure-container and --gcs-bucket.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
        command.Validators.Add(result =>
        {
            var given = new[] { result.GetValue(Path), result.GetValue(S3Bucket), result.GetValue(AzureContainer), result.GetValue(GcsBucket) }.Count(v => v is not null);
            if (given != 1)
                result.AddError("give the storage as either --path DIR, --s3-bucket BUCKET (with --s3-prefix/--s3-region/--s3-endpoint) --azure-container CONTAINER (with --azure-account) or --gcs-bucket BUCKET (with --gcs-prefix/--gcs-endpoint), exactly one of them");
            else if (result.GetValue(AzureContainer) is not null && result.GetValue(AzureAccount) is null)
                result.AddError("--azure-container needs --azure-account ACCOUNT (the storage account holding the container)");
            else if (result.GetValue(AzureCredentialsSecret) is not null && result.GetValue(AzureSasTokenSecret) is not null)
                result.AddError("give at most one of --azure-credentials-secret and --azure-sas-token-secret");
        });
    }

    /// <summary>The storage as the resource model spells it.</summary>
    public StorageSpec Spec(ParseResult r)
    {
        if (r.GetValue(Path) is { } path)
            return new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec(System.IO.Path.GetFullPath(path)));
        if (r.GetValue(AzureContainer) is { } container)
        {
            return new StorageSpec(StorageType.Azure, null, null, new AzureStorageSpec(container, r.GetValue(AzureAccount)!, r.GetValue(AzurePrefix), r.GetValue(AzureEndpoint),
                r.GetValue(AzureCredentialsSecret) is { } key ? new AzureAccountKeySecretRef(key, r.GetValue(AzureAccountKeyKey)!) : null,
                r.GetValue(AzureSasTokenSecret) is { } sas ? new AzureSasTokenSecretRef(sas, r.GetValue(AzureSasTokenKey)!) : null));
        }
        if (r.GetValue(GcsBucket) is { } bucket)
        {
            return new StorageSpec(StorageType.Gcs, null, null, Gcs: new GcsStorageSpec(bucket, r.GetValue(GcsPrefix), r.GetValue(GcsEndpoint),
                r.GetValue(GcsCredentialsSecret) is { } sa ? new GcsServiceAccountSecretRef(sa, r.GetValue(GcsServiceAccountJsonKey)!) : null));
        }
        var secret = r.GetValue(S3CredentialsSecret) is { } name
            ? new S3CredentialsSecretRef(name, r.GetValue(S3AccessKeyKey)!, r.GetValue(S3SecretKeyKey)!)
            : null;
        return new StorageSpec(StorageType.S3, new S3StorageSpec(
            r.GetValue(S3Bucket)!, r.GetValue(S3Region), r.GetValue(S3Prefix), r.GetValue(S3Endpoint), r.GetValue(S3ForcePathStyle), secret), null);
    }
}
