using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>What the status page's browser tests share: the daemon they start, the pages' paths and where screenshots go.</summary>
internal static class StatusPageBrowser
{
    /// <summary>The namespace of every resource the tests commit.</summary>
    public const string Namespace = "kafka-backup";

    /// <summary>`kafka-restored run` on <paramref name="remote"/> with its listener on a free loopback port (<paramref name="url"/>), polling every 2 s.</summary>
    public static DaemonProcess StartDaemon(GitRemote remote, TempDir dir, out string url)
    {
        url = $"http://127.0.0.1:{DaemonProcess.FreePort()}";
        return new DaemonProcess(
            ["run", "--repo", remote.BarePath, "--branch", remote.Branch, "--state-dir", dir.Combine("state"), "--http-listen", url],
            TestPolicy.WithAllowAll(new Dictionary<string, string?> { ["KAFKA_RESTORED_PollInterval"] = "00:00:02", ["KAFKA_RESTORED_MaxConcurrentRestores"] = "3" }));
    }

    /// <summary>The page of a resource in <see cref="Namespace"/>.</summary>
    public static string ResourcePath(string kind, string name) => $"/resources/{kind}/{Namespace}/{name}";

    /// <summary>Where a screenshot named <paramref name="file"/> goes: artifacts/screenshots/ in the repository (the test run's output).</summary>
    public static string Screenshot(string file) => Path.Combine(RepoPaths.Root, "artifacts", "screenshots", file);
}
