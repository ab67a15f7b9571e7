namespace KafkaRestored.TestSupport.GitServers;

/// <summary>
/// Hooks in the served bare repository that record who pushed what through the server and let a
/// test protect the branch against one user, as a Git host's branch protection would.
/// </summary>
public sealed class ServerHooks
{
    private readonly string _log;
    private readonly string _rejectDir;

    /// <summary>Installs pre-receive and post-receive hooks in <paramref name="barePath"/>, logging to <paramref name="scratch"/>.</summary>
    public ServerHooks(string barePath, string scratch)
    {
        _log = Path.Combine(scratch, "pushes.log");
        _rejectDir = Path.Combine(scratch, "reject");
        Directory.CreateDirectory(_rejectDir);
        File.WriteAllText(_log, "");
        var hooks = Path.Combine(barePath, "hooks");
        Directory.CreateDirectory(hooks);
        // REMOTE_USER is set by the HTTP server's basic auth and by the SSH key's forced command; a
        // push that did not come through a server has none and is logged as "local".
        WriteHook(Path.Combine(hooks, "pre-receive"), $$"""
            #!/bin/sh
            user="${REMOTE_USER:-local}"
            if [ -f '{{_rejectDir}}'/"$user" ]; then
              echo "protected branch: $(cat '{{_rejectDir}}'/"$user")" >&2
              exit 1
            fi
            exit 0
            """);
        WriteHook(Path.Combine(hooks, "post-receive"), $$"""
            #!/bin/sh
            while read old new ref; do
              echo "${REMOTE_USER:-local} $ref $old $new" >> '{{_log}}'
            done
            """);
    }

    /// <summary>Every push the repository accepted, one per ref: user, ref, old and new commit.</summary>
    public IReadOnlyList<(string User, string Ref, string Old, string New)> AcceptedPushes() =>
        [.. File.ReadAllLines(_log).Select(l => l.Split(' ')).Where(p => p.Length == 4).Select(p => (p[0], p[1], p[2], p[3]))];

    /// <summary>From now on, the pre-receive hook refuses every push by <paramref name="user"/> with <paramref name="message"/>.</summary>
    public void Reject(string user, string message) => File.WriteAllText(Path.Combine(_rejectDir, user), message);

    /// <summary>Lifts <see cref="Reject"/>.</summary>
    public void Allow(string user) => File.Delete(Path.Combine(_rejectDir, user));

    private static void WriteHook(string path, string text)
    {
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
