using System.Text.RegularExpressions;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>spec.resources as the restore's budget: limits.cpu bounds the partitions read at once, limits.memory the read-ahead.</summary>
public sealed partial class RestoreBudgetTests(KafkaFixture kafka, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    [Theory]
    [InlineData(2000L, null, 2)]
    [InlineData(500L, null, 1)]
    [InlineData(1500L, null, 1)]
    [InlineData(null, 3000L, 3)]
    public void Cpu_limits_become_whole_workers_and_requests_apply_when_limits_say_nothing(long? limitMillis, long? requestMillis, int workers)
    {
        var budget = RestoreBudget.From(new ResourcesSpec(new ResourceQuantities(requestMillis, null), new ResourceQuantities(limitMillis, null)));

        Assert.Equal(workers, budget.Workers);
        Assert.Equal(RestoreBudget.DefaultMemoryBytes, budget.MemoryBytes);
    }

    [Fact]
    public void Memory_limits_split_between_read_ahead_and_the_producer_queue_and_never_go_below_the_floor()
    {
        var budget = RestoreBudget.From(new ResourcesSpec(null, new ResourceQuantities(2000, 64L * 1024 * 1024)));
        Assert.Equal(16L * 1024 * 1024, budget.ReadAheadBytesPerWorker);
        Assert.Equal(32 * 1024, budget.ProducerQueueKbytes);

        Assert.Equal(RestoreBudget.MinimumMemoryBytes, RestoreBudget.From(new ResourcesSpec(null, new ResourceQuantities(null, 1024))).MemoryBytes);
        Assert.Equal(RestoreBudget.DefaultWorkers, RestoreBudget.From(null).Workers);
    }

    [Theory]
    [InlineData("1", 1, false)]
    [InlineData("2", 2, true)]
    public async Task Partitions_are_read_by_at_most_limits_cpu_workers_and_read_ahead_stays_within_limits_memory(string cpu, int workers, bool slowBroker)
    {
        // 12 MB uncompressed against an 8 MiB budget: unbounded buffering would read most of it before the broker
        // acknowledged much; bounded, what was read but not yet acknowledged stays within the budget.
        const int partitions = 4, perPartition = 10_000;
        var topic = kafka.Broker.CreateUniqueTopic("budget", partitions);
        var padding = new string('.', 280);
        var input = Enumerable.Range(0, partitions).ToDictionary(p => (topic, p),
            p => (IReadOnlyList<BackupRecord>)[.. Enumerable.Range(0, perPartition).Select(i => RestoreKit.Record(i, 1_000 + i, $"k{p}-{i}", $"v{p}-{i}{padding}"))]);
        var storage = new CountingStorage(_s.Storage);
        await RestoreKit.WriteBackupAsync(storage.Inner, _s.BackupId, input, new Dictionary<string, int> { [topic] = partitions },
            segmentRecords: 1000, compression: BackupCompression.None);

        // The engine counts record bytes (key, value, headers); the segments add framing. Convert what was read to record bytes.
        var recordBytes = input.Values.SelectMany(r => r).Sum(r => (long)(r.Key!.Length + r.Value!.Length));
        var segmentBytes = Directory.EnumerateFiles(_s.Path("backups", _s.BackupId, "topics"), "segment-*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var payloadShare = (double)recordBytes / segmentBytes;

        var memory = RestoreBudget.MinimumMemoryBytes;
        var restore = _s.Restore(s => s with { Resources = new ResourcesSpec(null, new ResourceQuantities(long.Parse(cpu, System.Globalization.CultureInfo.InvariantCulture) * 1000, memory)) });
        var maxAhead = 0L;
        var progress = new InlineProgress(u =>
        {
            if (u.Stage != RestoreStage.Restoring) return;
            // Read from storage but not yet acknowledged by the broker: the read-ahead plus the producer's queue.
            var ahead = (long)(storage.SegmentBytesRead * payloadShare) - u.Progress.RecordsDone * recordBytes / (partitions * perPartition);
            InterlockedMax(ref maxAhead, ahead);
        });
        // Slow broker responses, so acknowledgements lag behind reading whatever the machine's speed
        // (with limits.memory ignored, 11.7 of the 12 MB were read before being acknowledged).
        if (slowBroker) kafka.Broker.SetRtt(300);
        RestoreResult result;
        try
        {
            result = await EngineRuns.RunAsync(restore, new RestoreEnvironment(new SecretStore(null), _s.State, "default/restore")
            {
                Tuning = EngineScenario.FastTuning,
            }, progress, storage, CancellationToken.None);
        }
        finally
        {
            if (slowBroker) kafka.Broker.SetRtt(0);
        }

        RestoreSelectionTests.AssertCompleted(result);
        Assert.Equal(partitions * perPartition, result.RestoredRecords);

        // Each worker reads its partition's segments to the last before taking the next partition, so the partitions
        // being read at one time are those whose first segment was opened and whose last segment was not yet.
        var opens = storage.SegmentOpens;
        Assert.Equal(partitions * perPartition / 1000, opens.Count);
        var spans = opens.Select((p, i) => (p, i)).GroupBy(x => x.p).Select(g => (First: g.Min(x => x.i), Last: g.Max(x => x.i))).ToList();
        var concurrent = Enumerable.Range(0, opens.Count).Max(i => spans.Count(s => s.First <= i && i <= s.Last));
        Assert.True(concurrent <= workers, $"{concurrent} partitions read at once with limits.cpu {cpu}: {string.Join(",", opens)}");
        if (workers > 1) Assert.True(concurrent > 1, $"only one partition read at a time with limits.cpu {cpu}");

        // The whole budget (half read-ahead, half producer queue), plus the chunk the producing loop holds and a read buffer.
        var bound = memory + 512 * 1024;
        log.WriteLine($"limits.cpu {cpu}: at most {concurrent} partitions read at once; read but not yet acknowledged at most {maxAhead:N0} bytes (bound {bound:N0})");
        // Only with slowed brokers can reading outrun acknowledgements, so only then does this check the memory limit.
        if (slowBroker) Assert.True(maxAhead <= bound, $"{maxAhead:N0} bytes read but not acknowledged; the budget (limits.memory) is {memory:N0}");
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }

    /// <summary>Runs the callback on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class InlineProgress(Action<RestoreProgressUpdate> report) : IProgress<RestoreProgressUpdate>
    {
        public void Report(RestoreProgressUpdate value) => report(value);
    }

    /// <summary>The real folder storage, counting the segment bytes the engine reads and the order it opens segments in.</summary>
    private sealed partial class CountingStorage(IBackupStorage inner) : IBackupStorage
    {
        private readonly Lock _gate = new();
        private readonly List<int> _opens = [];
        private long _segmentBytes;

        public IBackupStorage Inner => inner;

        public long SegmentBytesRead => Interlocked.Read(ref _segmentBytes);

        /// <summary>The partition of every segment opened, in order.</summary>
        public IReadOnlyList<int> SegmentOpens
        {
            get
            {
                lock (_gate) return [.. _opens];
            }
        }

        public string Describe(string key) => inner.Describe(key);

        public async Task<Stream> OpenReadAsync(string key, CancellationToken ct)
        {
            var stream = await inner.OpenReadAsync(key, ct);
            if (PartitionOf().Match(key) is not { Success: true } m) return stream;
            lock (_gate) _opens.Add(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            return new CountingStream(stream, n => Interlocked.Add(ref _segmentBytes, n));
        }

        public void CheckInsideFolder(string key) => inner.CheckInsideFolder(key);

        public Task<bool> ExistsAsync(string key, CancellationToken ct) => inner.ExistsAsync(key, ct);

        public Task WriteAsync(string key, Stream content, CancellationToken ct) => inner.WriteAsync(key, content, ct);

        public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken ct) => inner.ListAsync(prefix, ct);

        [GeneratedRegex(@"/partition=(\d+)/segment-")]
        private static partial Regex PartitionOf();
    }

    /// <summary>Passes reads through and reports how many bytes each returned.</summary>
    private sealed class CountingStream(Stream inner, Action<int> counted) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            counted(n);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            counted(n);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
