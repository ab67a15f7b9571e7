using System.Text;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Storage;
using KafkaRestored.Restore.Tests.Engine;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Hostile;

/// <summary>
/// A manifest is untrusted: a segment key that leaves the backup's folder ('..', absolute, another
/// folder, a link to a file or a folder outside) fails the restore with one message whose text
/// depends on the key alone: the same whether the target exists, is missing or is a folder, and
/// without any of its bytes, its size or its existence.
/// </summary>
public sealed class BackupKeyEscapeTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    /// <summary>The secret's size: odd, so a message holding it would stand out.</summary>
    private const int SecretSize = 4093;

    private readonly TempDir _dir = new("kr-escape");

    public void Dispose() => _dir.Dispose();

    private string Root => _dir.Combine("backups");

    private string SecretDir => _dir.Combine("secrets", "prod-tls");

    private string SecretPath => Path.Combine(SecretDir, "key");

    /// <summary>The target the key reaches: a secret-like file, nothing, or a folder.</summary>
    public enum Target
    {
        ExistingFile,
        Missing,
        Folder,
    }

    private void PlaceTarget(Target target)
    {
        if (Directory.Exists(_dir.Combine("secrets"))) Directory.Delete(_dir.Combine("secrets"), recursive: true);
        Directory.CreateDirectory(SecretDir);
        switch (target)
        {
            case Target.ExistingFile:
                var pem = "-----BEGIN PRIVATE KEY-----\n" + new string('A', SecretSize - 55) + "\n-----END PRIVATE KEY-----\n";
                Assert.Equal(SecretSize, Encoding.ASCII.GetByteCount(pem));
                File.WriteAllText(SecretPath, pem);
                break;
            case Target.Folder:
                Directory.CreateDirectory(SecretPath);
                File.WriteAllText(Path.Combine(SecretPath, "inner"), "-----BEGIN");
                break;
        }
    }

    /// <summary>Writes backup "evil" of topic orders whose only segment has <paramref name="key"/>.</summary>
    private async Task PlantManifestAsync(string key)
    {
        var storage = new FilesystemBackupStorage(Root);
        var segment = new SegmentInfo(key, 0, 0, 1, 1, 1, 40, SecretSize);
        var manifest = new BackupManifest("evil", 1, null, ["source:9092"], "none",
            [new TopicBackup("orders", 1, [new PartitionBackup(0, [segment], null)])]);
        await BackupManifestStore.WriteAsync(storage, manifest, CancellationToken.None);
    }

    private async Task<RestoreResult> RestoreAsync()
    {
        using var state = new TempDir("kr-escape-state");
        var topic = kafka.Broker.CreateUniqueTopic("escape", 1);
        var restore = RestoreKit.Restore("evil", kafka.Broker.BootstrapServers, RestoreKit.Filesystem(Root),
            s => s with { TopicMapping = new KafkaRestored.Restore.Resources.Model.ValueMap(new Dictionary<string, string> { ["orders"] = topic }) });
        return await EngineRuns.RunAsync(restore,
            new RestoreEnvironment(new KafkaRestored.Restore.Secrets.SecretStore(state.Combine("secrets")), new FileRestoreStateStore(state.Path), "ops/evil")
            {
                Tuning = KafkaRestored.Restore.Tests.Engine.EngineScenario.FastTuning,
            }, null, CancellationToken.None);
    }

    /// <summary>Runs the restore once per target and returns the messages; each run must fail with InvalidBackupManifest.</summary>
    private async Task<List<string>> MessagesAsync(string key, Action? plantLinks = null)
    {
        var messages = new List<string>();
        foreach (var target in Enum.GetValues<Target>())
        {
            PlaceTarget(target);
            await PlantManifestAsync(key);
            plantLinks?.Invoke();
            var result = await RestoreAsync();
            Assert.True(result.Reason == "InvalidBackupManifest", $"{target}: {result.Reason}: {result.Message}");
            Assert.Equal(RestoreOutcome.Failed, result.Outcome);
            messages.Add(result.Message);
        }
        return messages;
    }

    private void AssertRevealsNothing(List<string> messages, string keyAsWritten)
    {
        // One message whatever the target is.
        Assert.All(messages, m => Assert.Equal(messages[0], m));
        var message = messages[0];
        Assert.Contains(Path.Combine(Root, "evil", "manifest.json"), message, StringComparison.Ordinal);
        Assert.Contains($"'{keyAsWritten}'", message, StringComparison.Ordinal);
        Assert.Contains("leaves the backup's folder 'evil/'", message, StringComparison.Ordinal);
        foreach (var leak in new[] { "-----", "2D2D2D2D", "2d2d2d2d", "BEGIN", SecretSize.ToString(System.Globalization.CultureInfo.InvariantCulture), "exist", "not found", "magic", "bytes" })
            Assert.DoesNotContain(leak, message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_dotdot_key_reveals_nothing_about_its_target()
    {
        var key = "evil/../../secrets/prod-tls/key";
        AssertRevealsNothing(await MessagesAsync(key), key);
    }

    [Fact]
    public async Task An_absolute_key_reveals_nothing_about_its_target()
    {
        var key = SecretPath;
        AssertRevealsNothing(await MessagesAsync(key), key);
    }

    [Fact]
    public async Task A_key_in_another_folder_of_the_storage_root_reveals_nothing_about_its_target()
    {
        // The root itself holds the secrets folder: the key stays in the root but not in evil/.
        var key = "other/prod-tls/key";
        var messages = await MessagesAsync(key, () =>
        {
            if (Directory.Exists(Path.Combine(Root, "other"))) Directory.Delete(Path.Combine(Root, "other"), recursive: true);
            Directory.CreateSymbolicLink(Path.Combine(Root, "other"), _dir.Combine("secrets"));
        });
        AssertRevealsNothing(messages, key);
    }

    [Fact]
    public async Task A_key_that_is_a_link_to_a_file_outside_reveals_nothing_about_its_target()
    {
        var key = "evil/topics/orders/partition=0/segment-00000000000000000000.bin";
        var messages = await MessagesAsync(key, () =>
        {
            var link = Path.Combine(Root, key);
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            if (File.Exists(link) || new FileInfo(link).LinkTarget is not null) File.Delete(link);
            File.CreateSymbolicLink(link, SecretPath);
        });
        AssertRevealsNothing(messages, key);
    }

    [Fact]
    public async Task A_key_through_a_linked_folder_outside_reveals_nothing_about_its_target()
    {
        var key = "evil/topics/prod-tls/key";
        var messages = await MessagesAsync(key, () =>
        {
            var link = Path.Combine(Root, "evil", "topics");
            if (new FileInfo(link).LinkTarget is not null) File.Delete(link);
            Directory.CreateSymbolicLink(link, _dir.Combine("secrets"));
        });
        AssertRevealsNothing(messages, key);
    }

    [Fact]
    public async Task A_relative_link_climbing_out_is_refused_like_an_absolute_one()
    {
        var key = "evil/topics/orders/partition=0/segment-00000000000000000000.bin";
        var messages = await MessagesAsync(key, () =>
        {
            var link = Path.Combine(Root, key);
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            if (new FileInfo(link).LinkTarget is not null) File.Delete(link);
            File.CreateSymbolicLink(link, "../../../../../secrets/prod-tls/key");
        });
        AssertRevealsNothing(messages, key);
    }

    [Fact]
    public async Task A_manifest_that_is_a_link_out_of_the_folder_is_refused_before_it_is_read()
    {
        PlaceTarget(Target.ExistingFile);
        Directory.CreateDirectory(Path.Combine(Root, "evil"));
        File.CreateSymbolicLink(Path.Combine(Root, "evil", "manifest.json"), SecretPath);

        var result = await RestoreAsync();

        Assert.Equal("InvalidBackupManifest", result.Reason);
        Assert.Contains("is a link leading out of the backup's folder 'evil/'", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("-----", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0x2D", result.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("'-'", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Links_that_stay_inside_the_backups_folder_are_followed()
    {
        // Positive control for the link checks: a segment reached through a link inside evil/ restores.
        var storage = new FilesystemBackupStorage(Root);
        var topic = kafka.Broker.CreateUniqueTopic("inside", 1);
        var manifest = await RestoreKit.WriteBackupAsync(storage, "evil",
            new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [(topic, 0)] = [RestoreKit.Record(0, 1, "k", "v")] },
            new Dictionary<string, int> { [topic] = 1 }, compression: BackupCompression.None);
        var real = manifest.Topics[0].Partitions[0].Segments[0].Key;
        Directory.CreateDirectory(Path.Combine(Root, "evil", "data"));
        File.Move(Path.Combine(Root, real), Path.Combine(Root, "evil", "data", "seg.bin"));
        File.CreateSymbolicLink(Path.Combine(Root, real), "../../../data/seg.bin");

        using var state = new TempDir("kr-escape-state");
        var result = await EngineRuns.RunAsync(RestoreKit.Restore("evil", kafka.Broker.BootstrapServers, RestoreKit.Filesystem(Root)),
            new RestoreEnvironment(new KafkaRestored.Restore.Secrets.SecretStore(state.Combine("secrets")), new FileRestoreStateStore(state.Path), "ops/inside")
            {
                Tuning = KafkaRestored.Restore.Tests.Engine.EngineScenario.FastTuning,
            }, null, CancellationToken.None);

        Assert.True(result.Outcome == RestoreOutcome.Completed, result.Reason + ": " + result.Message);
        Assert.Equal(1, result.RestoredRecords);
    }

    [Fact]
    public async Task The_leak_detector_sees_a_secrets_bytes_when_a_reader_is_pointed_at_it()
    {
        // Positive control: reading the secret as a segment does leak its first bytes into the message,
        // which is what the escape tests above assert never reaches a restore's result.
        PlaceTarget(Target.ExistingFile);
        var storage = new FilesystemBackupStorage(SecretDir);

        var e = await Assert.ThrowsAsync<CorruptSegmentException>(() => SegmentReader.VerifyAsync(storage, "key", CancellationToken.None));

        Assert.Contains("2D2D2D2D", e.Message, StringComparison.Ordinal);
    }
}
