using System.Text.RegularExpressions;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Validation;

// SpecReaders for storage.azure: an Azure Blob Storage container (the operator's field names).
internal static partial class SpecReaders
{
    private static readonly string[] AzureFields = ["container", "accountName", "prefix", "endpoint", "credentialsSecret", "sasTokenSecret", "useWorkloadIdentity"];

    private static readonly string[] AzureCredentialFields = ["credentialsSecret", "sasTokenSecret"];

    private static readonly string[] AzureKeyFields = ["name", "accountKeyKey"];

    private static readonly string[] AzureSasFields = ["name", "sasTokenKey"];

    /// <summary>The operator's default key of the account key in azure.credentialsSecret.</summary>
    internal const string DefaultAccountKeyKey = "AZURE_STORAGE_KEY";

    /// <summary>The operator's default key of the SAS token in azure.sasTokenSecret.</summary>
    internal const string DefaultSasTokenKey = "AZURE_SAS_TOKEN";

    private static AzureStorageSpec? Azure(MapReader storage)
    {
        var m = storage.Map("azure", AzureFields, required: false);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        // The SDK builds the host from the account and the path from the container: only Azure's naming rules
        // keep a request inside the endpoint (or Azure) and container that the host policy matched.
        var container = m.String("container", required: true, hint: "name the blob container holding the backups");
        if (container is not null && !ContainerName().IsMatch(container))
        {
            m.Ctx.Error(m.Value("container")!.Start, DiagnosticCodes.InvalidAzureLocation,
                $"{m.FieldPath("container")} \"{MapReader.Truncate(container)}\" is not a container name: 3 to 63 lower-case letters, digits and single '-', starting and ending with a letter or digit; put a path inside the container in prefix");
        }
        var account = m.String("accountName", required: true, hint: "name the storage account holding the container");
        if (account is not null && !AccountName().IsMatch(account))
        {
            m.Ctx.Error(m.Value("accountName")!.Start, DiagnosticCodes.InvalidAzureLocation,
                $"{m.FieldPath("accountName")} \"{MapReader.Truncate(account)}\" is not a storage account name: 3 to 24 lower-case letters and digits");
        }
        var prefix = m.String("prefix");
        var endpoint = m.String("endpoint");
        if (endpoint is not null && !IsPlainHttpUrl(endpoint))
        {
            m.Ctx.Error(m.Value("endpoint")!.Start, DiagnosticCodes.InvalidAzureLocation,
                $"{m.FieldPath("endpoint")} \"{MapReader.Truncate(endpoint)}\" is not an http(s) URL without user info, query or fragment (e.g. https://myaccount.blob.core.usgovcloudapi.net, or http://127.0.0.1:10000/devstoreaccount1 for Azurite)");
        }
        var workloadIdentity = m.Bool("useWorkloadIdentity") ?? false;
        var key = AzureKeySecret(m);
        var sas = AzureSasSecret(m);
        var credentials = AzureCredentialFields.Where(m.Present).ToList();
        if (workloadIdentity && m.Present("useWorkloadIdentity")) credentials.Add("useWorkloadIdentity");
        if (credentials.Count > 1)
        {
            m.Ctx.Error(m.KeyAt(credentials[1]), DiagnosticCodes.ConflictingFields,
                $"{m.FieldPath(credentials[1])} is given beside {m.FieldPath(credentials[0])}; give one way to authenticate (an account key, a SAS token, or neither for the host's ambient Azure credential)");
        }
        return m.Ctx.ErrorCount > before ? null : new AzureStorageSpec(container!, account!, prefix, endpoint, key, sas);
    }

    private static AzureAccountKeySecretRef? AzureKeySecret(MapReader azure)
    {
        var c = azure.Map("credentialsSecret", AzureKeyFields);
        if (c is null) return null;
        var name = SecretName(c, "the storage account key");
        var key = SecretKey(c, "accountKeyKey", false, "the storage account key") ?? DefaultAccountKeyKey;
        return name is null ? null : new AzureAccountKeySecretRef(name, key);
    }

    private static AzureSasTokenSecretRef? AzureSasSecret(MapReader azure)
    {
        var c = azure.Map("sasTokenSecret", AzureSasFields);
        if (c is null) return null;
        var name = SecretName(c, "the SAS token");
        var key = SecretKey(c, "sasTokenKey", false, "the SAS token") ?? DefaultSasTokenKey;
        return name is null ? null : new AzureSasTokenSecretRef(name, key);
    }

    /// <summary>An absolute http(s) URL without user info, query or fragment, which would let the written text and the host reached differ.</summary>
    private static bool IsPlainHttpUrl(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0;

    [GeneratedRegex(@"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\z")]
    private static partial Regex ContainerName();

    [GeneratedRegex(@"^[a-z0-9]{3,24}\z")]
    private static partial Regex AccountName();
}
