using System.Text;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Security;

/// <summary>
/// A config repo an attacker commits to (namespace team-b) and a host that holds secrets: a bare
/// remote, a secrets folder of mode-0600 files with unique values, and `reconcile --once` of the
/// real binary with a settings file that may carry a <c>Policy</c>. Everything the daemon writes
/// (status, stdout, stderr, git log -p) is collected for searching.
/// </summary>
internal sealed class HostileRepo : IDisposable
{
    public const string Namespace = "team-b";

    private readonly TempDir _dir = new("kr-hostile");

    public HostileRepo()
    {
        Secrets = _dir.Combine("secrets");
        Directory.CreateDirectory(Secrets);
    }

    public GitRemote Remote { get; } = new();

    public string Secrets { get; }

    /// <summary>Secret values planted so far, by "name/key" (the ambient AWS values under "@ambient/...").</summary>
    public Dictionary<string, string> Planted { get; } = [];

    /// <summary>Writes a unique value into <c>secrets/NAME/KEY</c> (mode 0600) and returns it.</summary>
    public string Plant(string name, string key, string? value = null)
    {
        value ??= $"planted-{key.ToLowerInvariant()}-{Guid.NewGuid():N}";
        var dir = Path.Combine(Secrets, name);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, key);
        File.WriteAllText(path, value + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Planted[$"{name}/{key}"] = value;
        return value;
    }

    /// <summary>A unique value the host holds outside the secrets folder (e.g. its AWS environment), searched for like a planted one.</summary>
    public string Hold(string what, string value)
    {
        Planted[what] = value;
        return value;
    }

    /// <summary>An AWS-looking access key id that occurs nowhere else.</summary>
    public static string AccessKeyId() => "AKIA" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();

    /// <summary>Runs `reconcile --once` with <paramref name="policyJson"/> (a JSON object, or null for none) as the settings' Policy.</summary>
    /// <param name="policyJson">The settings' Policy as a JSON object, or null for none.</param>
    /// <param name="environment">Extra environment of the daemon process (ambient credentials).</param>
    /// <param name="stopWhen">Checked while it runs: once true the daemon is stopped (a leak already seen needs no more waiting).</param>
    /// <param name="timeout">How long the daemon may run before it is stopped.</param>
    public DaemonRun ReconcileOnce(string? policyJson, IReadOnlyDictionary<string, string?> environment, Func<bool> stopWhen, TimeSpan timeout)
    {
        var state = _dir.Combine($"state-{Guid.NewGuid():N}");
        var settings = _dir.Combine($"settings-{Guid.NewGuid():N}.json");
        File.WriteAllText(settings, policyJson is null
            ? """{ "MaxConcurrentRestores": 4 }"""
            : $$"""{ "MaxConcurrentRestores": 4, "Policy": {{policyJson}} }""");
        var env = new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_RetryBaseDelay"] = "00:00:01",
            ["KAFKA_RESTORED_RetryMaxDelay"] = "00:00:02",
            // No instance-metadata probing from a test host: the SDK chain stops at the environment.
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        foreach (var (k, v) in environment) env[k] = v;
        using var daemon = new DaemonProcess(["reconcile", "--once", "--repo", Remote.BarePath, "--branch", Remote.Branch,
            "--state-dir", state, "--secrets-dir", Secrets, "--config", settings], env);
        var deadline = DateTime.UtcNow + timeout;
        var stoppedEarly = false;
        while (!daemon.HasExited)
        {
            if (stopWhen() || DateTime.UtcNow > deadline)
            {
                stoppedEarly = true;
                break;
            }
            Thread.Sleep(200);
        }
        var exitCode = daemon.Stop(TimeSpan.FromSeconds(20));
        return new DaemonRun(stoppedEarly ? null : exitCode, daemon.StdOut, daemon.StdErr, stoppedEarly && !stopWhen());
    }

    /// <summary>The committed status file of a resource, or null when there is none.</summary>
    public string? Status(string kind, string name, string ns = Namespace)
    {
        var r = ProcessRunner.Run("git", ["show", $"{Remote.Branch}:status/{kind.ToLowerInvariant()}/{ns}/{name}.yaml"], Remote.BarePath);
        return r.ExitCode == 0 ? r.StdOut : null;
    }

    /// <summary>Every commit of the remote with its patch.</summary>
    public string GitHistory() => Remote.RemoteGit("log", "-p", "--all", "--format=fuller");

    /// <summary>
    /// The forms a planted value could leave in: raw, base64 (an HTTP Basic header, a YAML binary), and
    /// for generated values their random part alone (a value cut, quoted or escaped on its way out).
    /// </summary>
    public IEnumerable<(string Secret, string Form, string Needle)> Needles()
    {
        foreach (var (secret, value) in Planted)
        {
            yield return (secret, "raw", value);
            yield return (secret, "base64", Convert.ToBase64String(Encoding.UTF8.GetBytes(value)));
            if (value.Length > 32) yield return (secret, "random part", value[^32..]);
            else if (value.StartsWith("AKIA", StringComparison.Ordinal)) yield return (secret, "random part", value[4..]);
        }
    }

    /// <summary>Every planted value found in <paramref name="bytes"/>, as "where: secret (form)".</summary>
    public IEnumerable<string> Leaks(string where, byte[] bytes)
    {
        foreach (var (secret, form, needle) in Needles())
        {
            if (bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0) yield return $"{where}: {secret} ({form})";
        }
    }

    public IEnumerable<string> Leaks(string where, string text) => Leaks(where, Encoding.UTF8.GetBytes(text));

    public void Dispose()
    {
        Remote.Dispose();
        _dir.Dispose();
    }
}
