using System.Globalization;
using System.Text.RegularExpressions;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace KafkaRestored.Restore.Resources.Yaml;

/// <summary>Writes resources as canonical YAML: fixed field order, every default spelled out, strings that
/// could read as another type quoted. <see cref="ResourceLoader.LoadText"/> reads it back to an equal
/// resource, and equal resources always give the same text, so the text can be hashed as the spec's identity.</summary>
public static partial class ResourceYaml
{
    /// <summary>The whole document: apiVersion, kind, metadata and spec.</summary>
    public static string Serialize(KafkaResource resource)
    {
        using var w = new Writer();
        w.Begin();
        w.Scalar("apiVersion", ApiVersions.V1Alpha1);
        w.Scalar("kind", resource.Kind);
        w.Key("metadata");
        Metadata(w, resource.Metadata);
        w.Key("spec");
        switch (resource)
        {
            case KafkaRestore r:
                Restore(w, r.Spec, r);
                break;
            case KafkaOffsetReset r:
                OffsetReset(w, r.Spec, r);
                break;
            case KafkaOffsetRollback r:
                OffsetRollback(w, r.Spec, r);
                break;
            case KafkaBackup r:
                Backup(w, r.Spec, r);
                break;
            case KafkaRestoreDrill r:
                Drill(w, r.Spec, r);
                break;
            default:
                throw new ArgumentException("unknown resource type " + resource.GetType().Name, nameof(resource));
        }
        return w.End();
    }

    private static void Metadata(Writer w, ObjectMeta m)
    {
        w.MapStart();
        w.Scalar("name", m.Name);
        w.Scalar("namespace", m.Namespace);
        if (m.Labels.Count > 0) w.Map("labels", m.Labels);
        if (m.Annotations.Count > 0) w.Map("annotations", m.Annotations);
        w.MapEnd();
    }

    private static void Restore(Writer w, KafkaRestoreSpec s, KafkaResource r)
    {
        w.MapStart();
        w.Scalar("backupId", s.BackupId);
        w.Key("targetCluster");
        Cluster(w, s.TargetCluster);
        w.Key("storage");
        Storage(w, s.Storage);
        if (s.Topics is not null) w.List("topics", s.Topics);
        if (s.TopicMapping.Count > 0) w.Map("topicMapping", s.TopicMapping);
        if (s.Pitr is { } p)
        {
            w.Key("pitr");
            w.MapStart();
            w.Bool("enabled", p.Enabled);
            if (p.Timestamp is { } ts) w.Scalar("timestamp", Timestamps.Format(ts));
            if (p.TimestampMillis is { } ms) w.Number("timestampMillis", ms);
            w.MapEnd();
        }
        w.Bool("includeOriginalOffsetHeader", s.IncludeOriginalOffsetHeader);
        if (s.OffsetReset is { } o)
        {
            w.Key("offsetReset");
            w.MapStart();
            w.Bool("enabled", o.Enabled);
            w.Scalar("strategy", SpecVocabulary.Text(SpecVocabulary.Strategies, o.Strategy));
            if (o.SourceCluster is not null) w.Scalar("sourceCluster", o.SourceCluster);
            w.List("consumerGroups", o.ConsumerGroups);
            if (o.Timestamp is { } ts) w.Scalar("timestamp", Timestamps.Format(ts));
            if (o.Offset is { } off) w.Number("offset", off);
            w.MapEnd();
        }
        if (s.Rollback is { } rb)
        {
            w.Key("rollback");
            Snapshot(w, rb.Enabled, rb.SnapshotId);
        }
        if (s.Resources is { } res)
        {
            w.Key("resources");
            w.MapStart();
            Quantities(w, "requests", res.Requests);
            Quantities(w, "limits", res.Limits);
            w.MapEnd();
        }
        w.Key("job");
        w.MapStart();
        w.Number("backoffLimit", s.Job.BackoffLimit);
        if (s.Job.ActiveDeadlineSeconds is { } d) w.Number("activeDeadlineSeconds", d);
        if (s.Job.TtlSecondsAfterFinished is { } t) w.Number("ttlSecondsAfterFinished", t);
        w.MapEnd();
        if (s.PodTemplate is { } pod)
        {
            w.Key("podTemplate");
            w.MapStart();
            if (pod.Annotations.Count > 0) w.Map("annotations", pod.Annotations);
            if (pod.Labels.Count > 0) w.Map("labels", pod.Labels);
            if (pod.NodeSelector.Count > 0) w.Map("nodeSelector", pod.NodeSelector);
            if (pod.Tolerations.Count > 0)
            {
                w.Key("tolerations");
                w.SeqStart();
                foreach (var tol in pod.Tolerations)
                {
                    w.MapStart();
                    if (tol.Key is not null) w.Scalar("key", tol.Key);
                    if (tol.Operator is not null) w.Scalar("operator", tol.Operator);
                    if (tol.Value is not null) w.Scalar("value", tol.Value);
                    if (tol.Effect is not null) w.Scalar("effect", tol.Effect);
                    if (tol.TolerationSeconds is { } secs) w.Number("tolerationSeconds", secs);
                    w.MapEnd();
                }
                w.SeqEnd();
            }
            w.MapEnd();
        }
        w.Scalar("onExistingData", SpecVocabulary.Text(SpecVocabulary.ExistingDataPolicies, s.OnExistingData));
        Scheduling(w, r);
        w.MapEnd();
    }

    private static void OffsetReset(Writer w, KafkaOffsetResetSpec s, KafkaResource r)
    {
        w.MapStart();
        w.Key("kafkaCluster");
        Cluster(w, s.KafkaCluster);
        w.List("consumerGroups", s.ConsumerGroups);
        if (s.Topics.Count > 0) w.List("topics", s.Topics);
        w.Scalar("strategy", SpecVocabulary.Text(SpecVocabulary.Strategies, s.Strategy));
        if (s.Timestamp is { } ts) w.Scalar("timestamp", Timestamps.Format(ts));
        if (s.Offset is { } off) w.Number("offset", off);
        if (s.SourceCluster is not null) w.Scalar("sourceCluster", s.SourceCluster);
        if (s.BackupId is not null) w.Scalar("backupId", s.BackupId);
        if (s.Storage is not null)
        {
            w.Key("storage");
            Storage(w, s.Storage);
        }
        if (s.TopicMapping.Count > 0) w.Map("topicMapping", s.TopicMapping);
        if (s.SnapshotBeforeReset is { } snap)
        {
            w.Key("snapshotBeforeReset");
            Snapshot(w, snap.Enabled, snap.SnapshotId);
        }
        Scheduling(w, r);
        w.MapEnd();
    }

    private static void OffsetRollback(Writer w, KafkaOffsetRollbackSpec s, KafkaResource r)
    {
        w.MapStart();
        w.Key("kafkaCluster");
        Cluster(w, s.KafkaCluster);
        w.Scalar("operation", SpecVocabulary.Text(SpecVocabulary.Operations, s.Operation));
        w.Scalar("snapshotId", s.SnapshotId);
        if (s.ConsumerGroups.Count > 0) w.List("consumerGroups", s.ConsumerGroups);
        Scheduling(w, r);
        w.MapEnd();
    }

    /// <summary>spec.suspend and spec.dependsOn, written only when set so resources without them keep their canonical text.</summary>
    private static void Scheduling(Writer w, KafkaResource r)
    {
        if (r.Suspend) w.Bool("suspend", true);
        if (r.DependsOn.Count == 0) return;
        w.Key("dependsOn");
        w.SeqStart();
        foreach (var dep in r.DependsOn)
        {
            w.MapStart();
            w.Scalar("kind", dep.Kind);
            w.Scalar("name", dep.Name);
            w.Scalar("namespace", dep.Namespace);
            w.MapEnd();
        }
        w.SeqEnd();
    }

    private static void Snapshot(Writer w, bool enabled, string? id)
    {
        w.MapStart();
        w.Bool("enabled", enabled);
        if (id is not null) w.Scalar("snapshotId", id);
        w.MapEnd();
    }

    private static void Cluster(Writer w, KafkaClusterSpec c)
    {
        w.MapStart();
        w.List("bootstrapServers", c.BootstrapServers);
        w.Scalar("securityProtocol", SpecVocabulary.Text(SpecVocabulary.Protocols, c.SecurityProtocol));
        if (c.TlsSecret is { } tls)
        {
            w.Key("tlsSecret");
            w.MapStart();
            w.Scalar("name", tls.Name);
            if (tls.CaKey is not null) w.Scalar("caKey", tls.CaKey);
            if (tls.CertKey is not null) w.Scalar("certKey", tls.CertKey);
            if (tls.KeyKey is not null) w.Scalar("keyKey", tls.KeyKey);
            w.MapEnd();
        }
        if (c.SaslSecret is { } sasl)
        {
            w.Key("saslSecret");
            w.MapStart();
            w.Scalar("name", sasl.Name);
            w.Scalar("mechanism", SpecVocabulary.Text(SpecVocabulary.Mechanisms, sasl.Mechanism));
            w.Scalar("usernameKey", sasl.UsernameKey);
            w.Scalar("passwordKey", sasl.PasswordKey);
            w.MapEnd();
        }
        if (c.ReplicationFactor is { } rf) w.Number("replicationFactor", rf);
        w.MapEnd();
    }

    private static void Storage(Writer w, StorageSpec s)
    {
        w.MapStart();
        w.Scalar("storageType", SpecVocabulary.Text(SpecVocabulary.StorageTypes, s.StorageType));
        if (s.S3 is { } s3)
        {
            w.Key("s3");
            w.MapStart();
            w.Scalar("bucket", s3.Bucket);
            if (s3.Region is not null) w.Scalar("region", s3.Region);
            if (s3.Prefix is not null) w.Scalar("prefix", s3.Prefix);
            if (s3.Endpoint is not null) w.Scalar("endpoint", s3.Endpoint);
            w.Bool("forcePathStyle", s3.ForcePathStyle);
            if (s3.CredentialsSecret is { } cred)
            {
                w.Key("credentialsSecret");
                w.MapStart();
                w.Scalar("name", cred.Name);
                w.Scalar("accessKeyKey", cred.AccessKeyKey);
                w.Scalar("secretKeyKey", cred.SecretKeyKey);
                w.MapEnd();
            }
            w.MapEnd();
        }
        if (s.Azure is { } azure) Azure(w, azure);
        if (s.Gcs is { } gcs) Gcs(w, gcs);
        if (s.Filesystem is { } fs)
        {
            w.Key("filesystem");
            w.MapStart();
            w.Scalar("path", fs.Path);
            w.MapEnd();
        }
        w.MapEnd();
    }

    private static void Quantities(Writer w, string key, ResourceQuantities? q)
    {
        if (q is null) return;
        w.Key(key);
        w.MapStart();
        if (q.CpuMillis is { } cpu) w.Scalar("cpu", Validation.Quantities.FormatCpu(cpu));
        if (q.MemoryBytes is { } mem) w.Scalar("memory", Validation.Quantities.FormatBytes(mem));
        w.MapEnd();
    }

    [GeneratedRegex(@"^([-+]?[0-9._]+([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|0x[0-9a-fA-F]+|0o[0-7]+|0b[01]+|[0-9]{4}-.*)$")]
    private static partial Regex LooksTyped();

    /// <summary>Emits YAML through YamlDotNet's emitter, which escapes whatever plain style cannot hold.</summary>
    private sealed class Writer : IDisposable
    {
        private readonly StringWriter _text = new(CultureInfo.InvariantCulture) { NewLine = "\n" };
        private readonly Emitter _emitter;

        public Writer() => _emitter = new Emitter(_text, new EmitterSettings().WithBestIndent(2).WithIndentedSequences().WithNewLine("\n"));

        public void Dispose() => _text.Dispose();

        public void Begin()
        {
            _emitter.Emit(new StreamStart());
            _emitter.Emit(new DocumentStart());
            MapStart();
        }

        public string End()
        {
            MapEnd();
            _emitter.Emit(new DocumentEnd(isImplicit: true));
            _emitter.Emit(new StreamEnd());
            return _text.ToString();
        }

        public void MapStart() => _emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));

        public void MapEnd() => _emitter.Emit(new MappingEnd());

        public void Key(string key) => Plain(key);

        public void SeqStart() => _emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));

        public void SeqEnd() => _emitter.Emit(new SequenceEnd());

        public void Scalar(string key, string value)
        {
            Plain(key);
            String(value);
        }

        public void Bool(string key, bool value)
        {
            Plain(key);
            Plain(value ? "true" : "false");
        }

        public void Number(string key, long value)
        {
            Plain(key);
            Plain(value.ToString(CultureInfo.InvariantCulture));
        }

        public void List(string key, IEnumerable<string> values)
        {
            Plain(key);
            var items = values.ToList();
            _emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, items.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
            foreach (var v in items) String(v);
            _emitter.Emit(new SequenceEnd());
        }

        public void Map(string key, IEnumerable<KeyValuePair<string, string>> pairs)
        {
            Plain(key);
            MapStart();
            foreach (var (k, v) in pairs)
            {
                String(k);
                String(v);
            }
            MapEnd();
        }

        private void Plain(string text) =>
            _emitter.Emit(new YamlDotNet.Core.Events.Scalar(AnchorName.Empty, TagName.Empty, text, ScalarStyle.Plain, true, false));

        /// <summary>Strings that a YAML reader would take for a number, boolean, null or date are double-quoted.</summary>
        private void String(string text)
        {
            var ambiguous = text.Length == 0 || ScalarText.IsBool(text) || ScalarText.IsYaml11Bool(text)
                            || text is "~" or "null" or "Null" or "NULL" || LooksTyped().IsMatch(text)
                            || text.Trim() != text;
            _emitter.Emit(new YamlDotNet.Core.Events.Scalar(AnchorName.Empty, TagName.Empty, text,
                ambiguous ? ScalarStyle.DoubleQuoted : ScalarStyle.Any, !ambiguous, true));
        }
    }
}
