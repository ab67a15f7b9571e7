using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Backups.Writing;

/// <summary>
/// Writes a complete backup in the SPEC 6 layout: segments per partition as records arrive, then
/// the manifest (and the consumer-group snapshot) on <see cref="CompleteAsync"/>. A backup is
/// visible to readers only once its manifest exists. Not thread-safe: one producer at a time.
/// </summary>
public sealed class BackupWriter : IAsyncDisposable
{
    private readonly IBackupStorage _storage;
    private readonly string _backupId;
    private readonly BackupCompression _compression;
    private readonly BackupWriterOptions _options;
    private readonly Dictionary<(string Topic, int Partition), SegmentWriter> _open = [];
    private readonly Dictionary<(string Topic, int Partition), List<SegmentInfo>> _done = [];
    private readonly Dictionary<(string Topic, int Partition), long> _lastOffsets = [];
    private bool _checked;
    private bool _completed;

    /// <summary>Prepares a writer for a new backup <paramref name="backupId"/>; nothing is written yet.</summary>
    public BackupWriter(IBackupStorage storage, string backupId, BackupCompression compression, BackupWriterOptions? options = null)
    {
        StorageKeys.Validate(backupId, "backup id");
        if (backupId.Contains('/', StringComparison.Ordinal))
            throw new ArgumentException($"backup id '{backupId}' must not contain '/'", nameof(backupId));
        _storage = storage;
        _backupId = backupId;
        _compression = compression;
        _options = options ?? new BackupWriterOptions();
    }

    /// <summary>Records appended so far.</summary>
    public long RecordCount { get; private set; }

    /// <summary>Appends a record of a partition; records of one partition must arrive in increasing offset order.</summary>
    /// <exception cref="KafkaRestoredException">Reason BackupExists when the backup id is already used.</exception>
    public async ValueTask AppendAsync(string topic, int partition, BackupRecord record, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (!_checked) await EnsureNewAsync(ct);
        var tp = (topic, partition);
        if (_lastOffsets.TryGetValue(tp, out var last) && record.Offset <= last)
            throw new ArgumentException($"{topic}/{partition}: record offset {record.Offset} does not follow {last}; append records of a partition in offset order", nameof(record));
        if (!_open.TryGetValue(tp, out var segment))
        {
            StorageKeys.Validate(BackupKeys.PartitionFolder(_backupId, topic, partition), "topic");
            segment = new SegmentWriter(_compression, _options.TempDirectory, _options.CompressionLevel);
            _open[tp] = segment;
        }
        segment.Append(record);
        _lastOffsets[tp] = record.Offset;
        RecordCount++;
        if (segment.UncompressedSize >= _options.MaxSegmentBytes || segment.RecordCount >= _options.MaxSegmentRecords)
            await SealAsync(tp, segment, ct);
    }

    /// <summary>
    /// Seals open segments and writes the consumer-group snapshot (when given) and the manifest.
    /// Topics listed in <paramref name="originalPartitionCounts"/> appear with every partition, even empty ones.
    /// </summary>
    public async Task<BackupManifest> CompleteAsync(
        IReadOnlyDictionary<string, int> originalPartitionCounts,
        string? sourceClusterId,
        IReadOnlyList<string> sourceBrokers,
        ConsumerGroupSnapshot? groups,
        IReadOnlyDictionary<(string Topic, int Partition), IReadOnlyList<BackupGap>>? gaps,
        CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (!_checked) await EnsureNewAsync(ct);
        foreach (var (tp, segment) in _open.ToList()) await SealAsync(tp, segment, ct);

        var partitionsByTopic = new SortedDictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        void Add(string topic, int partition)
        {
            if (!partitionsByTopic.TryGetValue(topic, out var set)) partitionsByTopic[topic] = set = [];
            set.Add(partition);
        }
        foreach (var (topic, count) in originalPartitionCounts)
        {
            if (!partitionsByTopic.ContainsKey(topic)) partitionsByTopic[topic] = [];
            for (var p = 0; p < count; p++) Add(topic, p);
        }
        foreach (var (topic, partition) in _done.Keys) Add(topic, partition);
        foreach (var (topic, partition) in gaps?.Keys ?? Enumerable.Empty<(string, int)>()) Add(topic, partition);

        var topics = partitionsByTopic.Select(t => new TopicBackup(
            t.Key,
            originalPartitionCounts.TryGetValue(t.Key, out var c) ? c : null,
            t.Value.Select(p => new PartitionBackup(
                p,
                _done.TryGetValue((t.Key, p), out var segs) ? segs : [],
                gaps is not null && gaps.TryGetValue((t.Key, p), out var g) && g.Count > 0 ? g : null)).ToList())).ToList();

        var manifest = new BackupManifest(_backupId, _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
            sourceClusterId, sourceBrokers, _compression.ManifestName(), topics);
        if (groups is not null) await ConsumerGroupSnapshotStore.WriteAsync(_storage, _backupId, groups, ct);
        // The manifest goes last: its presence is what makes the backup complete.
        await BackupManifestStore.WriteAsync(_storage, manifest, ct);
        _completed = true;
        return manifest;
    }

    /// <summary>Fails with BackupExists when anything is stored under the backup id already.</summary>
    public async Task EnsureNewAsync(CancellationToken ct)
    {
        var manifestKey = BackupKeys.Manifest(_backupId);
        if (await _storage.ExistsAsync(manifestKey, ct))
            throw new KafkaRestoredException(FailureReason.BackupExists,
                $"backup '{_backupId}' already exists ({_storage.Describe(manifestKey)}); choose another backup id, or delete the old backup first.");
        await foreach (var key in _storage.ListAsync(_backupId + "/", ct))
        {
            // A KafkaBackup run marks its backup before writing it (see BackupKeys.Owner).
            if (key == BackupKeys.Owner(_backupId)) continue;
            throw new KafkaRestoredException(FailureReason.BackupExists,
                $"backup id '{_backupId}' is already in use: {_storage.Describe(key)} exists (an incomplete earlier backup?); choose another backup id, or delete {_storage.Describe(_backupId + "/")} first.");
        }
        _checked = true;
    }

    private async Task SealAsync((string Topic, int Partition) tp, SegmentWriter segment, CancellationToken ct)
    {
        _open.Remove(tp);
        using (segment)
        {
            var key = BackupKeys.Segment(_backupId, tp.Topic, tp.Partition, segment.FirstOffset, _compression.SegmentExtension());
            var info = await segment.CompleteAsync(_storage, key, ct);
            if (!_done.TryGetValue(tp, out var list)) _done[tp] = list = [];
            list.Add(info);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        foreach (var segment in _open.Values) segment.Dispose();
        _open.Clear();
        _completed = true;
        return ValueTask.CompletedTask;
    }
}
