using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Setup;

/// <summary>
/// The README's test command starts with scripts/install-test-tools.sh: it must work for root on a machine
/// without sudo and for a normal user with sudo. Run with a PATH holding only stand-ins for id, sudo and
/// apt-get (which record how they were called), so nothing is installed for real.
/// </summary>
public sealed class InstallTestToolsTests
{
    private const string Command = "scripts/install-test-tools.sh && npm ci && scripts/test.sh";

    private sealed class FakeMachine : IDisposable
    {
        private readonly TempDir _dir = new("kr-tools");

        public FakeMachine(int uid, bool sudo, params string[] present)
        {
            Bin = _dir.Combine("bin");
            Directory.CreateDirectory(Bin);
            File.CreateSymbolicLink(Path.Combine(Bin, "env"), "/usr/bin/env");
            Script("id", $"[ \"$1\" = -u ] && echo {uid}");
            Script("apt-get", $"echo \"apt-get $*\" >> {Log}");
            if (sudo) Script("sudo", $"echo \"sudo $*\" >> {Log}; exec \"$@\"");
            foreach (var tool in present) Script(tool, "exit 0");
        }

        public string Bin { get; }

        public string Log => _dir.Combine("calls.log");

        public string[] Calls => File.Exists(Log) ? File.ReadAllLines(Log) : [];

        private void Script(string name, string body)
        {
            var path = Path.Combine(Bin, name);
            File.WriteAllText(path, "#!/bin/bash\n" + body + "\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        public ProcessResult Run() =>
            ProcessRunner.Run("/bin/bash", [Path.Combine(RepoPaths.Root, "scripts", "install-test-tools.sh")],
                environment: new Dictionary<string, string?> { ["PATH"] = Bin, ["TEST_TOOLS_SBIN"] = Bin, ["TEST_TOOLS_PYTHON"] = Path.Combine(Bin, "python3") }, workingDirectory: RepoPaths.Root);

        public void Dispose() => _dir.Dispose();
    }

    [Fact]
    public void The_readme_quick_start_and_ci_use_the_script_rather_than_sudo()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        Assert.Contains(Command, readme, StringComparison.Ordinal);
        Assert.DoesNotContain("sudo apt-get install -y kcat", readme, StringComparison.Ordinal);
        Assert.Contains("bash scripts/install-test-tools.sh", File.ReadAllText(Path.Combine(RepoPaths.Root, ".ci", "run")), StringComparison.Ordinal);
    }

    [Fact]
    public void Root_without_sudo_installs_with_apt_get_directly()
    {
        using var machine = new FakeMachine(uid: 0, sudo: false);

        var result = machine.Run();

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Equal(
            ["apt-get update -qq", "apt-get install -y -qq kcat stunnel4 openssl git lighttpd openssh-server openssh-client nodejs npm python3 python3-zstandard python3-lz4 dpkg systemd util-linux prometheus-alertmanager chromium"],
            machine.Calls);
    }

    [Fact]
    public void A_normal_user_installs_through_sudo_and_without_sudo_is_told_what_to_do()
    {
        using var withSudo = new FakeMachine(uid: 1000, sudo: true, "git", "lighttpd", "sshd", "ssh", "python3");
        var result = withSudo.Run();
        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Equal(
        [
            "sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq",
            "apt-get update -qq",
            "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat stunnel4 openssl nodejs npm dpkg systemd util-linux prometheus-alertmanager chromium",
            "apt-get install -y -qq kcat stunnel4 openssl nodejs npm dpkg systemd util-linux prometheus-alertmanager chromium",
        ], withSudo.Calls);

        using var withoutSudo = new FakeMachine(uid: 1000, sudo: false);
        var refused = withoutSudo.Run();
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("run this as root, or install sudo", refused.StdErr, StringComparison.Ordinal);
        Assert.Empty(withoutSudo.Calls);
    }

    [Fact]
    public void Nothing_is_installed_when_every_tool_is_present()
    {
        using var machine = new FakeMachine(uid: 1000, sudo: false, "kcat", "stunnel4", "openssl", "git", "lighttpd", "sshd", "ssh", "node", "python3", "dpkg-deb", "systemd-analyze", "unshare", "prometheus-alertmanager", "chromium");

        var result = machine.Run();

        Assert.Equal((0, "test tools: all present\n"), (result.ExitCode, result.StdOut));
        Assert.Empty(machine.Calls);
    }
}
