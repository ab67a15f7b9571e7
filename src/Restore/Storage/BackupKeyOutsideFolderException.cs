using System.Globalization;
using System.Text;
using KafkaRestored.Restore.Failures;

namespace KafkaRestored.Restore.Storage;

/// <summary>
/// A backup key that would leave its backup's folder (<c>..</c>, an absolute key, a key outside
/// <c>{backupId}/</c>, or a link leading out of the folder): reason "InvalidBackupManifest". The
/// message names the manifest and the key as written, and nothing about what the key points at.
/// </summary>
public sealed class BackupKeyOutsideFolderException : KafkaRestoredException
{
    /// <summary>Longest key (after escaping) quoted in a message.</summary>
    private const int MaxQuoted = 160;

    /// <summary>Creates the error for <paramref name="key"/>, listed by the manifest at <paramref name="manifestLocation"/> of the backup <paramref name="backupId"/>.</summary>
    public BackupKeyOutsideFolderException(string key, string backupId, string manifestLocation)
        : base(FailureReason.InvalidBackupManifest, MessageFor(key, backupId, manifestLocation))
    {
        Key = key;
        BackupId = backupId;
    }

    /// <summary>The key as the manifest wrote it.</summary>
    public string Key { get; }

    /// <summary>The backup whose folder the key had to stay in.</summary>
    public string BackupId { get; }

    /// <summary>
    /// <paramref name="text"/> with every character outside printable ASCII written as an escape
    /// (<c>\n</c>, <c>\u001b</c>...), cut after <paramref name="max"/> characters, so a hostile
    /// name cannot forge log lines or flood a status file.
    /// </summary>
    public static string Printable(string text, int max = MaxQuoted)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(Math.Min(text.Length, max) + 8);
        foreach (var c in text)
        {
            if (sb.Length >= max)
            {
                sb.Append(CultureInfo.InvariantCulture, $"... ({text.Length} characters)");
                break;
            }
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\'': sb.Append(@"\'"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                case >= ' ' and <= '~': sb.Append(c); break;
                default: sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
            }
        }
        return sb.ToString();
    }

    // One shape whatever the key points at (a file, a folder, nothing, a link): the text depends on the key alone.
    private static string MessageFor(string key, string backupId, string manifestLocation)
    {
        var folder = Printable(backupId) + "/";
        var what = key == $"{backupId}/manifest.json"
            ? $"backup manifest {manifestLocation} is a link leading out of the backup's folder '{folder}'"
            : $"backup manifest {manifestLocation} lists the key '{Printable(key)}', which leaves the backup's folder '{folder}'";
        return what + ": every key must lie under that folder, without '..' segments, absolute paths or links leading out of it. "
            + "Nothing was read from it; the backup is not trusted: restore from another backup, or fix the manifest.";
    }
}
