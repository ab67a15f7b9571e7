using System.Net;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Storage.v1;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Restore.Storage.Gcs;

/// <summary>The credential a GCS storage uses: a service account's JSON key from its secret, or the host's application default credentials.</summary>
internal static class GcsCredentials
{
    /// <summary>The scoped credential and how errors name it; the key's text never reaches a message.</summary>
    public static (GoogleCredential Credential, string Source) Load(GcsStorageSpec spec, SecretStore secrets)
    {
        var where = $"for GCS bucket '{spec.Bucket}'";
        if (spec.Endpoint is { } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme != Uri.UriSchemeHttps && !IsLoopback(uri))
            throw new KafkaRestoredException(FailureReason.StorageAccessDenied,
                $"gcs.endpoint {uri.GetLeftPart(UriPartial.Authority)} is plain http, which would carry the bearer token in clear text ({where}); use an https endpoint (http is accepted on loopback only, for an emulator).");
        if (spec.CredentialsSecret is { } secret)
        {
            var source = $"the service account key from secret '{secret.Name}' (key '{secret.ServiceAccountJsonKey}')";
            var json = secrets.Read(secret.Name, secret.ServiceAccountJsonKey);
            try
            {
                return (CredentialFactory.FromJson<ServiceAccountCredential>(json).ToGoogleCredential().CreateScoped(StorageService.Scope.DevstorageReadWrite), source);
            }
            catch (Exception e) when (e is not KafkaRestoredException and not OutOfMemoryException)
            {
                // The parser's message could quote the JSON, which holds the private key: it is dropped.
                throw new KafkaRestoredException(FailureReason.StorageAccessDenied,
                    $"{source} is not a service account JSON key (type service_account with client_email and private_key) {where}; put the key file the Google Cloud console gives there.");
            }
        }
        const string ambient = "the host's application default Google credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's login, the metadata server)";
        try
        {
            return (GoogleCredential.GetApplicationDefault().CreateScoped(StorageService.Scope.DevstorageReadWrite), ambient);
        }
        catch (InvalidOperationException)
        {
            // Its message names the file it tried, whose content is not quoted; it is still replaced by one that says what to do.
            throw new KafkaRestoredException(FailureReason.StorageAccessDenied,
                $"no Google credential {where}: {ambient} found none usable; set gcs.credentialsSecret, or give the host application default credentials.");
        }
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
