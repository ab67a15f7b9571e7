using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Yaml;

// ResourceYaml's writers of the cloud storage blocks other than s3: azure and gcs.
public static partial class ResourceYaml
{
    private static void Azure(Writer w, AzureStorageSpec azure)
    {
        w.Key("azure");
        w.MapStart();
        w.Scalar("container", azure.Container);
        w.Scalar("accountName", azure.AccountName);
        if (azure.Prefix is not null) w.Scalar("prefix", azure.Prefix);
        if (azure.Endpoint is not null) w.Scalar("endpoint", azure.Endpoint);
        if (azure.CredentialsSecret is { } key)
        {
            w.Key("credentialsSecret");
            w.MapStart();
            w.Scalar("name", key.Name);
            w.Scalar("accountKeyKey", key.AccountKeyKey);
            w.MapEnd();
        }
        if (azure.SasTokenSecret is { } sas)
        {
            w.Key("sasTokenSecret");
            w.MapStart();
            w.Scalar("name", sas.Name);
            w.Scalar("sasTokenKey", sas.SasTokenKey);
            w.MapEnd();
        }
        w.MapEnd();
    }

    private static void Gcs(Writer w, GcsStorageSpec gcs)
    {
        w.Key("gcs");
        w.MapStart();
        w.Scalar("bucket", gcs.Bucket);
        if (gcs.Prefix is not null) w.Scalar("prefix", gcs.Prefix);
        if (gcs.Endpoint is not null) w.Scalar("endpoint", gcs.Endpoint);
        if (gcs.CredentialsSecret is { } key)
        {
            w.Key("credentialsSecret");
            w.MapStart();
            w.Scalar("name", key.Name);
            w.Scalar("serviceAccountJsonKey", key.ServiceAccountJsonKey);
            w.MapEnd();
        }
        w.MapEnd();
    }
}
