using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Restore.Resources.Model;

/// <summary>The YAML spelling of every enum value of the spec, written once: the validator reads with these
/// tables and <c>ResourceYaml</c> writes with them, so a value always reads back as what was written.</summary>
internal static class SpecVocabulary
{
    /// <summary>securityProtocol: Kafka's spellings.</summary>
    internal static readonly (string Text, SecurityProtocol Value)[] Protocols =
    [
        ("PLAINTEXT", SecurityProtocol.Plaintext), ("SSL", SecurityProtocol.Ssl),
        ("SASL_PLAINTEXT", SecurityProtocol.SaslPlaintext), ("SASL_SSL", SecurityProtocol.SaslSsl),
    ];

    /// <summary>saslSecret.mechanism.</summary>
    internal static readonly (string Text, SaslMechanism Value)[] Mechanisms =
    [
        ("PLAIN", SaslMechanism.Plain), ("SCRAM-SHA-256", SaslMechanism.ScramSha256), ("SCRAM-SHA-512", SaslMechanism.ScramSha512),
    ];

    /// <summary>storage.storageType.</summary>
    internal static readonly (string Text, StorageType Value)[] StorageTypes = [("s3", StorageType.S3), ("filesystem", StorageType.Filesystem), ("azure", StorageType.Azure), ("gcs", StorageType.Gcs)];

    /// <summary>offsetReset.strategy and KafkaOffsetReset's strategy.</summary>
    internal static readonly (string Text, OffsetResetStrategy Value)[] Strategies =
    [
        ("earliest", OffsetResetStrategy.Earliest), ("latest", OffsetResetStrategy.Latest),
        ("timestamp", OffsetResetStrategy.Timestamp), ("offset", OffsetResetStrategy.Offset),
        ("headerBased", OffsetResetStrategy.HeaderBased),
    ];

    /// <summary>KafkaOffsetRollback's operation.</summary>
    internal static readonly (string Text, RollbackOperation Value)[] Operations =
        [("rollback", RollbackOperation.Rollback), ("snapshot", RollbackOperation.Snapshot)];

    /// <summary>onExistingData.</summary>
    internal static readonly (string Text, OnExistingData Value)[] ExistingDataPolicies =
        [("fail", OnExistingData.Fail), ("append", OnExistingData.Append)];

    /// <summary>KafkaBackup's compression.</summary>
    internal static readonly (string Text, Backups.Kbak.BackupCompression Value)[] Compressions =
        [("none", Backups.Kbak.BackupCompression.None), ("lz4", Backups.Kbak.BackupCompression.Lz4), ("zstd", Backups.Kbak.BackupCompression.Zstd)];

    /// <summary>The spelling of <paramref name="value"/> in <paramref name="values"/>.</summary>
    internal static string Text<T>(IEnumerable<(string Text, T Value)> values, T value) where T : struct =>
        values.First(v => EqualityComparer<T>.Default.Equals(v.Value, value)).Text;
}
