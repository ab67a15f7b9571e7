using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Backups;

public sealed class FilesystemBackupStorageTests : IDisposable
{
    private readonly TempDir _dir = new("kr-fs");
    private readonly FilesystemBackupStorage _storage;

    public FilesystemBackupStorageTests() => _storage = new FilesystemBackupStorage(_dir.Path);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Writes_read_back_and_leave_no_temporary_files()
    {
        await _storage.WriteAsync("b/x/y.bin", new MemoryStream([1, 2, 3]), CancellationToken.None);
        await _storage.WriteAsync("b/x/y.bin", new MemoryStream([4, 5]), CancellationToken.None);

        await using var s = await _storage.OpenReadAsync("b/x/y.bin", CancellationToken.None);
        var copy = new MemoryStream();
        await s.CopyToAsync(copy);
        Assert.Equal([4, 5], copy.ToArray());
        Assert.True(await _storage.ExistsAsync("b/x/y.bin", CancellationToken.None));
        Assert.False(await _storage.ExistsAsync("b/x/z.bin", CancellationToken.None));
        Assert.Equal(["y.bin"], Directory.GetFiles(_dir.Combine("b", "x")).Select(Path.GetFileName));
        Assert.Equal(_dir.Combine("b", "x", "y.bin"), _storage.Describe("b/x/y.bin"));
    }

    [Fact]
    public async Task Lists_keys_under_a_prefix()
    {
        foreach (var k in new[] { "b1/manifest.json", "b1/topics/t/partition=0/s.bin", "b10/manifest.json", "c/x" })
            await _storage.WriteAsync(k, new MemoryStream([0]), CancellationToken.None);

        var keys = new List<string>();
        await foreach (var k in _storage.ListAsync("b1/", CancellationToken.None)) keys.Add(k);
        var all = new List<string>();
        await foreach (var k in _storage.ListAsync("", CancellationToken.None)) all.Add(k);
        var none = new List<string>();
        await foreach (var k in _storage.ListAsync("missing/", CancellationToken.None)) none.Add(k);

        Assert.Equal(["b1/manifest.json", "b1/topics/t/partition=0/s.bin"], keys.Order());
        Assert.Equal(4, all.Count);
        Assert.Empty(none);
    }

    [Fact]
    public async Task A_missing_object_is_BackupObjectNotFound_with_its_absolute_path()
    {
        var e = await Assert.ThrowsAsync<BackupObjectNotFoundException>(() => _storage.OpenReadAsync("b/nope.bin", CancellationToken.None));
        Assert.Equal("BackupObjectNotFound", e.Reason);
        Assert.Contains(_dir.Combine("b", "nope.bin"), e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("a/../../outside")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("")]
    public async Task Keys_that_could_escape_the_root_are_rejected(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.WriteAsync(key, new MemoryStream([1]), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.OpenReadAsync(key, CancellationToken.None));
    }
}
