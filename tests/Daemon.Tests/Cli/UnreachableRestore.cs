namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>
/// A KafkaRestore of namespace team-a into a cluster nobody listens on (only a start would notice),
/// and settings whose Policy allows it: for CLI tests that validate, plan and reconcile without Kafka.
/// </summary>
internal static class UnreachableRestore
{
    /// <summary>Settings (JSON) allowing team-a the unreachable cluster and the backup folder.</summary>
    public const string Settings = """{"Policy": {"team-a": {"Clusters": ["127.0.0.1:1"], "Folders": ["/var/backups/kafka"]}}}""";

    /// <summary>The resource named <paramref name="name"/>; <paramref name="specTail"/> holds more spec lines, each indented by two spaces.</summary>
    public static string Yaml(string name, string specTail = "") => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata: {"{"}name: {name}, namespace: team-a{"}"}
        spec:
          backupId: b-1
          targetCluster: {"{"}bootstrapServers: ["127.0.0.1:1"]{"}"}
          storage: {"{"}storageType: filesystem, filesystem: {"{"}path: /var/backups/kafka{"}"}{"}"}
        {specTail}
        """;
}
