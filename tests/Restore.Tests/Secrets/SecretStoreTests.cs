using KafkaRestored.Restore.Secrets;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Secrets;

/// <summary>Secrets as files (SPEC 8), on a real folder with real permissions.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SecretStoreTests : IDisposable
{
    private readonly TempDir _dir = new();

    private string Write(string relative, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = _dir.Combine(relative.Split('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void Reads_name_slash_key_and_trims_one_trailing_newline()
    {
        Write("secrets/kafka-credentials/password", "s3cr3t-value\n");
        Write("secrets/kafka-credentials/windows", "from-notepad\r\n");
        Write("secrets/kafka-credentials/twice", "two-newlines\n\n");
        var store = new SecretStore(_dir.Combine("secrets"));
        Assert.Equal("s3cr3t-value", store.Read("kafka-credentials", "password"));
        Assert.Equal("from-notepad", store.Read("kafka-credentials", "windows"));
        Assert.Equal("two-newlines\n", store.Read("kafka-credentials", "twice"));
        Assert.Equal(_dir.Combine("secrets", "kafka-credentials", "password"), store.PathOf("kafka-credentials", "password"));
    }

    [Fact]
    public void Reads_a_flat_systemd_credential_when_the_folder_layout_is_absent()
    {
        // LoadCredential=secrets_kafka-credentials_password:/etc/... puts this file beside secrets/.
        Write("secrets_kafka-credentials_password", "from-systemd");
        Assert.Equal("from-systemd", new SecretStore(_dir.Combine("secrets")).Read("kafka-credentials", "password"));
    }

    [Fact]
    public void A_missing_secret_names_the_path_it_looked_for()
    {
        var e = Assert.Throws<KafkaRestoredException>(() => new SecretStore(_dir.Combine("secrets")).Read("s3-credentials", "accessKey"));
        Assert.Equal("SecretNotFound", e.Reason);
        Assert.Contains(_dir.Combine("secrets", "s3-credentials", "accessKey"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_readable_by_others_is_refused_without_revealing_its_value()
    {
        var path = Write("secrets/kafka-credentials/password", "never-print-me",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var e = Assert.Throws<KafkaRestoredException>(() => new SecretStore(_dir.Combine("secrets")).Read("kafka-credentials", "password"));
        Assert.Equal("InsecureSecretFile", e.Reason);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("never-print-me", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_writable_but_not_readable_by_others_is_refused()
    {
        // Others could replace the value (a credential the daemon then sends to an attacker's broker).
        var path = Write("secrets/kafka-credentials/password", "replaceable",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
        var store = new SecretStore(_dir.Combine("secrets"));
        var e = Assert.Throws<KafkaRestoredException>(() => store.Read("kafka-credentials", "password"));
        Assert.Equal("InsecureSecretFile", e.Reason);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal("InsecureSecretFile", Assert.Throws<KafkaRestoredException>(() => SecretStore.ReadFile(path, "WebhookSecretFile")).Reason);

        // Positive control: the same file once only its owner can write it.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal("replaceable", store.Read("kafka-credentials", "password"));
    }

    [Theory]
    [InlineData("..", "password", "password")]
    [InlineData("kafka-credentials", "../../etc/passwd", "etc/passwd")]
    [InlineData("a/b", "password", "secrets/a/b/password")]
    [InlineData(".", "password", "secrets/password")]
    [InlineData("kafka-credentials", ".", "secrets/kafka-credentials")]
    [InlineData("", "password", "secrets/password")]
    [InlineData("kafka-credentials", "a\\b", "secrets/kafka-credentials/a\\b")]
    public void References_that_are_not_plain_names_are_refused_even_when_the_file_they_reach_exists(string name, string key, string reached)
    {
        // The file the reference would reach is there: only the name check stands between it and the caller.
        var target = _dir.Combine(reached.Split('/'));
        if (!Directory.Exists(target)) Write(reached, "outside-value");
        var e = Assert.Throws<KafkaRestoredException>(() => new SecretStore(_dir.Combine("secrets")).Read(name, key));
        Assert.Equal("SecretNotFound", e.Reason);
        Assert.Contains("is not a plain file name", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("outside-value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_absolute_name_or_key_is_refused_though_Path_Combine_would_jump_to_it()
    {
        // Path.Combine drops everything before a rooted part: "/x" as a name would read /x/<key>.
        var outside = Write("elsewhere/password", "outside-value");
        var store = new SecretStore(_dir.Combine("secrets"));
        foreach (var (name, key) in new[] { (_dir.Combine("elsewhere"), "password"), ("kafka-credentials", outside) })
        {
            var e = Assert.Throws<KafkaRestoredException>(() => store.Read(name, key));
            Assert.Equal("SecretNotFound", e.Reason);
            Assert.Contains("is not a plain file name", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_missing_standalone_secret_file_names_the_setting_and_the_path()
    {
        var path = _dir.Combine("no-webhook-secret");
        var e = Assert.Throws<KafkaRestoredException>(() => SecretStore.ReadFile(path, "WebhookSecretFile"));
        Assert.Equal("SecretNotFound", e.Reason);
        Assert.StartsWith($"WebhookSecretFile: secret file {path} does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_secrets_directory_configured_is_a_clear_error()
    {
        var store = new SecretStore(null);
        var e = Assert.Throws<KafkaRestoredException>(() => store.Read("kafka-credentials", "password"));
        Assert.Contains("--secrets-dir", e.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine("<secrets directory not configured>", "kafka-credentials", "password"), store.PathOf("kafka-credentials", "password"));
    }

    [Fact]
    public void A_standalone_secret_file_follows_the_same_permission_rule()
    {
        var ok = Write("webhook-secret", "hook\n");
        Assert.Equal("hook", SecretStore.ReadFile(ok, "WebhookSecretFile"));
        var open = Write("open-secret", "hook", UnixFileMode.UserRead | UnixFileMode.OtherRead);
        Assert.Equal("InsecureSecretFile", Assert.Throws<KafkaRestoredException>(() => SecretStore.ReadFile(open, "WebhookSecretFile")).Reason);
    }

    public void Dispose() => _dir.Dispose();
}
