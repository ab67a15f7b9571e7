using System.Text.Json;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Notifications;

/// <summary>Issue #17 through the real daemon: `run` reads Notifications from the settings, sends phase changes, and refuses an unsafe URL file before doing anything, without printing the URL.</summary>
public sealed class NotificationDaemonTests
{
    private const string UrlToken = "T0K3N-daemon-8c1d";

    private static string Secret(TempDir dir, string name, string content, UnixFileMode mode)
    {
        var path = dir.Combine(name);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
        return path;
    }

    private static Dictionary<string, string?> Settings(string urlFile, string keyFile) => new()
    {
        ["KAFKA_RESTORED_PollInterval"] = "01:00:00",
        ["KAFKA_RESTORED_Notifications__0__Provider"] = "webhook",
        ["KAFKA_RESTORED_Notifications__0__UrlFile"] = urlFile,
        ["KAFKA_RESTORED_Notifications__0__SecretFile"] = keyFile,
        ["KAFKA_RESTORED_Notifications__0__Phases__0"] = "Failed",
    };

    [Fact]
    public async Task Run_sends_a_phase_change_to_the_configured_webhook()
    {
        using var dir = new TempDir();
        using var remote = new GitRemote();
        using var receiver = new HttpReceiver(path: "/hooks/" + UrlToken);
        var own = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var env = Settings(Secret(dir, "url", receiver.Url.ToString(), own), Secret(dir, "key", "k", own));
        // No Policy: the restore is denied, Failed in the first cycle without touching a cluster.
        remote.HumanCommit("add restore", new Dictionary<string, string?> { ["restores/r.yaml"] = SampleResources.MinimalRestore });

        using var daemon = new DaemonProcess(["run", "--repo", remote.BarePath, "--branch", remote.Branch, "--state-dir", dir.Combine("state"), "--http-listen", "off"], env);

        var request = (await daemon.WaitForAsync("the webhook notification",
            () => Task.FromResult(receiver.Requests.Count > 0 ? receiver.Requests : null), TimeSpan.FromSeconds(90)))[0];
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(("Failed", "PolicyDenied"), (body.GetProperty("phase").GetString(), body.GetProperty("reason").GetString()));
        Assert.StartsWith("sha256=", request.Headers["X-Hub-Signature-256"], StringComparison.Ordinal);
        Assert.DoesNotContain(UrlToken, daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_refuses_a_url_file_other_users_can_read_naming_the_setting_but_not_the_url()
    {
        using var dir = new TempDir();
        using var remote = new GitRemote();
        var own = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var url = Secret(dir, "url", $"https://hooks.example/{UrlToken}", own | UnixFileMode.OtherRead);
        var env = Settings(url, Secret(dir, "key", "k", own));

        using var daemon = new DaemonProcess(["run", "--repo", remote.BarePath, "--state-dir", dir.Combine("state"), "--http-listen", "off"], env);

        // It exits by itself; Stop only collects the code (and would end a daemon that wrongly kept running).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!daemon.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(100);
        Assert.Equal(2, daemon.Stop(TimeSpan.FromSeconds(5)));
        Assert.Contains($"Notifications:0:UrlFile", daemon.StdErr, StringComparison.Ordinal);
        Assert.Contains($"chmod o-rwx {url}", daemon.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(UrlToken, daemon.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("state", "repo")), "nothing is cloned before the settings are good");
    }
}
