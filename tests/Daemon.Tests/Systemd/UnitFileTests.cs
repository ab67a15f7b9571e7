using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Systemd;

/// <summary>The shipped unit file is valid for systemd and carries the settings operators rely on.</summary>
public sealed class UnitFileTests
{
    private static readonly string UnitPath = Path.Combine(RepoPaths.Root, "systemd", "kafka-restored.service");

    [Fact]
    public void Unit_passes_systemd_analyze_verify()
    {
        using var dir = new TempDir();
        // verify checks that ExecStart's binary exists: point it at the built apphost.
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        Assert.True(File.Exists(apphost), apphost + " missing");
        var unit = File.ReadAllText(UnitPath).Replace("/opt/kafka-restored/kafka-restored", apphost, StringComparison.Ordinal);
        var copy = dir.Combine("kafka-restored.service");
        File.WriteAllText(copy, unit);

        var result = ProcessRunner.Run("systemd-analyze", ["verify", copy]);

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.DoesNotContain("kafka-restored.service:", result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Type=notify")]
    [InlineData("WatchdogSec=")]
    [InlineData("StateDirectory=kafka-restored")]
    [InlineData("LoadCredential=git-token:")]
    [InlineData("Restart=on-failure")]
    [InlineData("ProtectSystem=strict")]
    [InlineData("NoNewPrivileges=yes")]
    public void Unit_declares(string line) =>
        Assert.Contains(File.ReadLines(UnitPath), l => l.StartsWith(line, StringComparison.Ordinal));
}
