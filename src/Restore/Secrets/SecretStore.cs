using KafkaRestored.Restore.Failures;
namespace KafkaRestored.Restore.Secrets;

/// <summary>
/// Kubernetes secrets as files (SPEC 8): a reference {name: N, someKey: K} reads
/// <c>&lt;directory&gt;/N/K</c>, the layout of a mounted secret volume. Under systemd the flat
/// credential <c>&lt;directory&gt;_N_K</c> is accepted too, since LoadCredential= IDs are file names.
/// </summary>
public sealed class SecretStore
{
    /// <summary>Uses <paramref name="directory"/> as the secrets root; null means no secrets are configured.</summary>
    public SecretStore(string? directory) => Directory = directory;

    /// <summary>The secrets root, or null when none is configured.</summary>
    public string? Directory { get; }

    /// <summary>Path of a secret file (for messages: the path is not secret, the content is).</summary>
    public string PathOf(string name, string key) =>
        Path.Combine(Directory ?? "<secrets directory not configured>", name, key);

    /// <summary>Reads a secret value, trimmed of one trailing newline.</summary>
    /// <exception cref="KafkaRestoredException">Reason SecretNotFound or InsecureSecretFile; never contains the value.</exception>
    public string Read(string name, string key)
    {
        return TrimNewline(System.Text.Encoding.UTF8.GetString(ReadBytes(name, key)));
    }

    /// <summary>Reads a standalone secret file named by a setting (webhook secret, Git token): the same permission rule, one trailing newline trimmed.</summary>
    /// <exception cref="KafkaRestoredException">Reason SecretNotFound or InsecureSecretFile, naming the setting and path.</exception>
    public static string ReadFile(string path, string setting)
    {
        if (!File.Exists(path))
            throw new KafkaRestoredException(FailureReason.SecretNotFound, $"{setting}: secret file {path} does not exist; create it (mode 0600) or change {setting}.");
        return TrimNewline(System.Text.Encoding.UTF8.GetString(ReadChecked(path)));
    }

    private static string TrimNewline(string text) =>
        text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;

    private static byte[] ReadChecked(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
                throw new KafkaRestoredException(FailureReason.InsecureSecretFile,
                    $"secret file {path} is readable or writable by other users; run 'chmod o-rwx {path}' (0600 or 0640 expected).");
        }
        return File.ReadAllBytes(path);
    }

    /// <summary>Reads a secret file as bytes (certificates, keys).</summary>
    public byte[] ReadBytes(string name, string key)
    {
        if (Directory is null)
            throw new KafkaRestoredException(FailureReason.SecretNotFound,
                $"secret '{name}' key '{key}' is referenced but no secrets directory is configured; set secretsDirectory (--secrets-dir) to the folder holding <name>/<key> files.");
        if (!IsSafeSegment(name) || !IsSafeSegment(key))
            throw new KafkaRestoredException(FailureReason.SecretNotFound,
                $"secret reference '{name}'/'{key}' is not a plain file name; names and keys may not contain '/' or be '.' or '..'.");
        var path = Path.Combine(Directory, name, key);
        if (!File.Exists(path))
        {
            // systemd credentials are flat files: LoadCredential=secrets_N_K:/path gives
            // $CREDENTIALS_DIRECTORY/secrets_N_K beside the (absent) secrets/ folder.
            var flat = Path.TrimEndingDirectorySeparator(Directory) + "_" + name + "_" + key;
            if (!File.Exists(flat))
                throw new KafkaRestoredException(FailureReason.SecretNotFound,
                    $"secret file {path} does not exist; create it (mode 0600) with the value of key '{key}' of secret '{name}'.");
            path = flat;
        }
        return ReadChecked(path);
    }

    private static bool IsSafeSegment(string s) =>
        s.Length > 0 && s != "." && s != ".." && s.IndexOfAny(['/', '\\', '\0']) < 0;
}
