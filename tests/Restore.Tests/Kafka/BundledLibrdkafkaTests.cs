using System.Runtime.InteropServices;
using Confluent.Kafka;
using KafkaRestored.Restore.Kafka;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Kafka;

/// <summary>
/// Which librdkafka the product loads: the one it ships, by path, never one the host offers by name
/// (issue #15 item 9: with Debian's librdkafka-dev installed, Confluent.Kafka took Debian's 2.0.2 and
/// the demo failed). The foreign library is Debian's librdkafka1, which kcat (used by the suite) needs.
/// </summary>
public sealed class BundledLibrdkafkaTests : IDisposable
{
    private readonly TempDir _dir = new("kr-librdkafka");

    public void Dispose() => _dir.Dispose();

    private static string Daemon => RepoPaths.ProjectOutput("src/Daemon", "kafka-restored");

    /// <summary>The host's own librdkafka (Debian's librdkafka1, 2.0.2 on Debian 12): older than and different from the bundled one.</summary>
    private static string ForeignLibrdkafka()
    {
        var triplet = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        string[] places = [$"/usr/lib/{triplet}/librdkafka.so.1", "/usr/lib64/librdkafka.so.1", "/usr/lib/librdkafka.so.1"];
        return places.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("These tests need a librdkafka other than the bundled one: install librdkafka1 (kcat, which the suite uses, depends on it).");
    }

    private static ProcessResult Version(string dll, IDictionary<string, string?>? environment = null) =>
        ProcessRunner.Run("dotnet", [dll, "--version"], environment: environment, timeout: TimeSpan.FromMinutes(1));

    private static (string Version, string Path) LibrdkafkaLine(ProcessResult result)
    {
        var line = result.StdOut.Split('\n').Single(l => l.StartsWith("librdkafka ", StringComparison.Ordinal)).Split(' ', 3);
        return (line[1], line[2].Trim());
    }

    [Fact]
    public void Version_prints_the_product_version_and_the_bundled_librdkafka_it_loaded()
    {
        var result = Version(Daemon).EnsureSuccess("kafka-restored --version");

        var lines = result.StdOut.TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^kafka-restored \d+\.\d+\.\d+", lines[0]);
        var (version, path) = LibrdkafkaLine(result);
        // The version the loader refuses to go below is the one shipped: upgrading the package without re-testing fails here.
        Assert.Equal(BundledLibrdkafka.TestedVersion.ToString(), version);
        Assert.StartsWith(Path.GetDirectoryName(Daemon)! + "/", path, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(path), BundledLibrdkafka.BuildNames);
        Assert.True(File.Exists(path), path);
    }

    [Fact]
    public async Task A_foreign_librdkafka_first_on_the_library_path_is_loaded_neither_by_the_cli_nor_by_the_mock_cluster()
    {
        // What Debian's librdkafka-dev adds: a librdkafka.so that a load by name finds first.
        var foreign = _dir.Combine("librdkafka.so");
        File.CreateSymbolicLink(foreign, ForeignLibrdkafka());
        // Positive control: the planted file is a working librdkafka, and not the version shipped.
        Assert.NotEqual(BundledLibrdkafka.TestedVersion.ToString(), VersionOf(foreign));
        var environment = new Dictionary<string, string?> { ["LD_LIBRARY_PATH"] = _dir.Path };

        var (version, path) = LibrdkafkaLine(Version(Daemon, environment).EnsureSuccess("kafka-restored --version"));
        Assert.Equal(BundledLibrdkafka.TestedVersion.ToString(), version);
        Assert.StartsWith(Path.GetDirectoryName(Daemon)! + "/", path, StringComparison.Ordinal);

        // The mock cluster is librdkafka too (on 15d5e5f it failed here as the demo did); its live process maps the bundled file only.
        using var broker = MockKafkaBroker.Start(1, new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = _dir.Path });
        var brokerLibrary = broker.Librdkafka.Split(' ', 2)[1];
        Assert.Contains(Path.GetFileName(brokerLibrary), BundledLibrdkafka.BuildNames);
        Assert.Equal([brokerLibrary], MappedLibrdkafka(broker.ProcessId));
        var topic = broker.CreateUniqueTopic("foreign", 1);
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var delivered = await producer.ProduceAsync(topic, new Message<Null, string> { Value = "through the bundled librdkafka" });
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
    }

    [Fact]
    public void This_test_process_maps_only_the_bundled_librdkafka()
    {
        // The test assemblies load it in a module initializer, before any test creates a client.
        var loaded = BundledLibrdkafka.Loaded;
        Assert.NotNull(loaded);
        _ = Library.Version;
        Assert.Equal([loaded.Path], BundledLibrdkafka.MappedFiles());
        Assert.Equal(loaded.Version, Library.VersionString);
    }

    [Fact]
    public void An_install_whose_librdkafka_is_older_than_the_tested_one_is_refused_in_one_line_with_exit_two()
    {
        var old = ForeignLibrdkafka();
        var oldInstall = InstallWith(_dir.Combine("old"), _ => old);
        // Positive control: the same copied install with the shipped files runs.
        var shipped = Path.Combine(Path.GetDirectoryName(Daemon)!, "runtimes", Rid, "native");
        var goodInstall = InstallWith(_dir.Combine("good"), name => Path.Combine(shipped, name));
        Assert.Equal(BundledLibrdkafka.TestedVersion.ToString(), LibrdkafkaLine(Version(goodInstall).EnsureSuccess("the copied install")).Version);

        foreach (var args in new[] { new[] { "--version" }, ["validate", "/dev/null"] })
        {
            var result = ProcessRunner.Run("dotnet", [oldInstall, .. args], timeout: TimeSpan.FromMinutes(1));
            Assert.Equal(2, result.ExitCode);
            Assert.Equal("", result.StdOut);
            var line = Assert.Single(result.StdErr.TrimEnd().Split('\n'));
            Assert.StartsWith("kafka-restored: LibrdkafkaTooOld: ", line, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(Path.GetDirectoryName(oldInstall)!, "runtimes", Rid, "native", "librdkafka.so"), line, StringComparison.Ordinal);
            Assert.Contains($"librdkafka {VersionOf(old)}, older than {BundledLibrdkafka.TestedVersion}", line, StringComparison.Ordinal);
            Assert.Contains("reinstall kafka-restored", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void When_no_bundled_build_loads_the_error_names_each_file_and_what_it_lacks()
    {
        var notALibrary = _dir.Combine("librdkafka.so");
        File.WriteAllText(notALibrary, "not an ELF file");

        var e = Assert.Throws<LibrdkafkaLoadException>(() => BundledLibrdkafka.Probe([_dir.Combine("missing.so"), notALibrary]));

        Assert.Equal(LibrdkafkaLoadException.NotLoadable, e.Reason);
        Assert.Contains(notALibrary + ": ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("missing.so", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>The version a librdkafka file reports, the file unloaded again so this process keeps only the bundled one.</summary>
    private static string VersionOf(string library)
    {
        var handle = NativeLibrary.Load(library);
        try
        {
            return BundledLibrdkafka.VersionOf(handle).Text;
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    private static string Rid => "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    /// <summary>
    /// A copy of the daemon's build output (assemblies linked, not copied) whose bundled librdkafka
    /// files are <paramref name="library"/>(name); returns its kafka-restored.dll.
    /// </summary>
    private static string InstallWith(string folder, Func<string, string> library)
    {
        var output = Path.GetDirectoryName(Daemon)!;
        Directory.CreateDirectory(folder);
        foreach (var entry in Directory.EnumerateFileSystemEntries(output))
        {
            var name = Path.GetFileName(entry);
            if (name == "runtimes") continue;
            // The host resolves the app's own path through links, so the entry assembly and its manifests are real copies.
            if (name.StartsWith("kafka-restored.", StringComparison.Ordinal)) File.Copy(entry, Path.Combine(folder, name));
            else File.CreateSymbolicLink(Path.Combine(folder, name), entry);
        }
        var native = Directory.CreateDirectory(Path.Combine(folder, "runtimes", Rid, "native")).FullName;
        foreach (var name in BundledLibrdkafka.BuildNames) File.CreateSymbolicLink(Path.Combine(native, name), library(name));
        return Path.Combine(folder, "kafka-restored.dll");
    }

    private static List<string> MappedLibrdkafka(int pid) =>
        [.. File.ReadLines($"/proc/{pid}/maps")
            .Select(l => l.IndexOf('/', StringComparison.Ordinal) is var i and >= 0 ? l[i..] : "")
            .Where(p => Path.GetFileName(p).Contains("librdkafka", StringComparison.Ordinal))
            .Distinct()];
}
