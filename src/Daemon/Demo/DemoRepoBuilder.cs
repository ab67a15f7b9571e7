using YamlDotNet.RepresentationModel;

namespace KafkaRestored.Daemon.Demo;

/// <summary>
/// Copies examples/repo into the demo's config repo with every KafkaRestore pointed at the
/// embedded cluster and the local backup folder. Examples keep their backup ids, topics, PITR
/// and offset settings; security settings are dropped (the embedded cluster has no TLS/SASL),
/// and each restore writes to topics of its own (topicMapping) so the restores do not collide.
/// The KafkaBackup and KafkaRestoreDrill examples are kept too, backing up the cluster's live
/// topics into the same folder (without the consumer-group snapshot: the groups are of a live
/// system) and drilling into scratch topics on the embedded cluster. Offset rollback and reset
/// examples depend on snapshots and groups of a live system and are left out of the demo run.
/// </summary>
public static class DemoRepoBuilder
{
    /// <summary>Rewrites the examples under <paramref name="examplesDir"/> into <paramref name="repoDir"/>.</summary>
    public static DemoRequirements Build(string examplesDir, string repoDir, string bootstrapServers, string backupsPath, IReadOnlyList<string> backupTopics)
    {
        var backupIds = new SortedSet<string>(StringComparer.Ordinal);
        var groups = new SortedSet<string>(StringComparer.Ordinal);
        var targets = new SortedSet<string>(StringComparer.Ordinal);
        var files = new List<string>();
        var live = new SortedSet<string>(StringComparer.Ordinal);
        var scheduled = new List<string>();
        foreach (var source in Directory.EnumerateFiles(examplesDir, "*.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(examplesDir, source);
            var target = Path.Combine(repoDir, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (!(source.EndsWith(".yaml", StringComparison.Ordinal) || source.EndsWith(".yml", StringComparison.Ordinal)))
            {
                File.Copy(source, target, overwrite: true);
                continue;
            }
            var stream = new YamlStream();
            using (var reader = new StreamReader(source)) stream.Load(reader);
            var kept = new List<YamlDocument>();
            foreach (var doc in stream.Documents)
            {
                if (doc.RootNode is not YamlMappingNode root) continue;
                if (Scalar(root, "kind") is "KafkaBackup" or "KafkaRestoreDrill")
                {
                    var scheduledSpec = (YamlMappingNode)root.Children[new YamlScalarNode("spec")];
                    RewriteScheduled(Scalar(root, "kind")!, scheduledSpec, bootstrapServers, backupsPath, backupTopics, live, targets);
                    scheduled.Add(rel);
                    kept.Add(doc);
                    continue;
                }
                if (Scalar(root, "kind") != "KafkaRestore") continue;
                var name = Scalar((YamlMappingNode)root.Children[new YamlScalarNode("metadata")], "name") ?? "restore";
                var spec = (YamlMappingNode)root.Children[new YamlScalarNode("spec")];
                backupIds.Add(Scalar(spec, "backupId") ?? "");
                RewriteCluster(spec, "targetCluster", bootstrapServers);
                RewriteStorage(spec, backupsPath);
                targets.UnionWith(RewriteMapping(spec, name, backupTopics));
                if (spec.Children.TryGetValue(new YamlScalarNode("offsetReset"), out var reset) && reset is YamlMappingNode resetMap
                    && resetMap.Children.TryGetValue(new YamlScalarNode("consumerGroups"), out var g) && g is YamlSequenceNode seq)
                {
                    foreach (var item in seq.Children.OfType<YamlScalarNode>()) groups.Add(item.Value ?? "");
                }
                kept.Add(doc);
            }
            if (kept.Count == 0) continue;
            using var writer = new StreamWriter(target);
            new YamlStream(kept).Save(writer, assignAnchors: false);
            files.Add(rel);
        }
        return new DemoRequirements(backupIds, groups, targets, files) { LiveTopics = live, ScheduledFiles = scheduled };
    }

    /// <summary>A KafkaBackup reads the embedded cluster's live topics into the backup folder; a drill restores into scratch topics there.</summary>
    private static void RewriteScheduled(string kind, YamlMappingNode spec, string bootstrapServers, string backupsPath, IReadOnlyList<string> backupTopics,
        SortedSet<string> live, SortedSet<string> targets)
    {
        var topics = spec.Children.TryGetValue(new YamlScalarNode("topics"), out var t) && t is YamlSequenceNode seq
            ? seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList()
            : [.. backupTopics];
        if (kind == "KafkaBackup")
        {
            RewriteCluster(spec, "kafkaCluster", bootstrapServers);
            RewriteStorage(spec, backupsPath);
            spec.Children.Remove(new YamlScalarNode("consumerGroupSnapshot"));
            live.UnionWith(topics);
            return;
        }
        RewriteCluster(spec, "targetCluster", bootstrapServers);
        if (spec.Children.ContainsKey(new YamlScalarNode("storage"))) RewriteStorage(spec, backupsPath);
        targets.UnionWith(topics.Select(topic => (Scalar(spec, "topicPrefix") ?? "") + topic));
    }

    private static void RewriteCluster(YamlMappingNode spec, string key, string bootstrapServers)
    {
        var cluster = new YamlMappingNode();
        cluster.Add("bootstrapServers", new YamlSequenceNode(bootstrapServers.Split(',').Select(s => new YamlScalarNode(s))));
        spec.Children[new YamlScalarNode(key)] = cluster;
    }

    private static void RewriteStorage(YamlMappingNode spec, string backupsPath) =>
        spec.Children[new YamlScalarNode("storage")] = new YamlMappingNode(
            new YamlScalarNode("storageType"), new YamlScalarNode("filesystem"),
            new YamlScalarNode("filesystem"), new YamlMappingNode(new YamlScalarNode("path"), new YamlScalarNode(backupsPath)));

    /// <summary>Sets annotation <paramref name="key"/> of the one resource in <paramref name="file"/> to <paramref name="value"/> (the rerun annotation runs it now).</summary>
    public static void Annotate(string file, string key, string value)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file)) stream.Load(reader);
        var metadata = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("metadata")];
        if (!metadata.Children.TryGetValue(new YamlScalarNode("annotations"), out var node) || node is not YamlMappingNode annotations)
            metadata.Children[new YamlScalarNode("annotations")] = annotations = new YamlMappingNode();
        annotations.Children[new YamlScalarNode(key)] = new YamlScalarNode(value);
        using var writer = new StreamWriter(file);
        stream.Save(writer, assignAnchors: false);
    }

    /// <summary>The kind and metadata.name of the one resource in <paramref name="file"/>.</summary>
    public static (string Kind, string Name) Identity(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file)) stream.Load(reader);
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        return (Scalar(root, "kind") ?? "", Scalar((YamlMappingNode)root.Children[new YamlScalarNode("metadata")], "name") ?? "");
    }

    private static IEnumerable<string> RewriteMapping(YamlMappingNode spec, string restoreName, IReadOnlyList<string> backupTopics)
    {
        var topics = spec.Children.TryGetValue(new YamlScalarNode("topics"), out var t) && t is YamlSequenceNode seq
            ? seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList()
            : [.. backupTopics];
        var existing = spec.Children.TryGetValue(new YamlScalarNode("topicMapping"), out var m) && m is YamlMappingNode map
            ? map.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value ?? "", p => ((YamlScalarNode)p.Value).Value ?? "")
            : [];
        var mapping = new YamlMappingNode();
        foreach (var topic in topics)
            mapping.Add(topic, existing.TryGetValue(topic, out var mapped) ? mapped : $"{restoreName}.{topic}");
        spec.Children[new YamlScalarNode("topicMapping")] = mapping;
        return mapping.Children.Values.Cast<YamlScalarNode>().Select(v => v.Value ?? "");
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode s ? s.Value : null;
}
