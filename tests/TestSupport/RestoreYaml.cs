namespace KafkaRestored.TestSupport;

/// <summary>KafkaRestore YAML for tests that commit restores to a config repo: the resource and its storage blocks.</summary>
public static class RestoreYaml
{
    /// <summary>storage: block for a filesystem backup.</summary>
    public static string FilesystemStorage(string path) => $"""
          storage:
            storageType: filesystem
            filesystem:
              path: {path}
        """;

    /// <summary>storage: block for a backup in s3rver, credentials from the secret s3-credentials (keys accessKey, secretKey).</summary>
    public static string S3Storage(string bucket, string endpoint) => $"""
          storage:
            storageType: s3
            s3:
              bucket: {bucket}
              region: us-east-1
              endpoint: {endpoint}
              forcePathStyle: true
              credentialsSecret:
                name: s3-credentials
                accessKeyKey: accessKey
                secretKeyKey: secretKey
        """;

    /// <summary>A KafkaRestore of topic <paramref name="source"/> renamed to <paramref name="target"/>, at the 8 MiB memory floor.</summary>
    public static string Restore(string name, string ns, string backupId, string source, string target, string bootstrap, string storage,
        int backoffLimit, string? rerun = null) => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata:
          name: {name}
          namespace: {ns}{(rerun is null ? "" : $"\n  annotations:\n    kafka.oso.sh/rerun: \"{rerun}\"")}
        spec:
          backupId: {backupId}
          targetCluster:
            bootstrapServers: [{bootstrap.Replace(",", ", ", StringComparison.Ordinal)}]
        {storage}
          topics: [{source}]
          topicMapping:
            {source}: {target}
          resources:
            limits:
              cpu: "2"
              memory: 8Mi
          job:
            backoffLimit: {backoffLimit}

        """;
}
