using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>
/// An exception nothing catches in a real <c>restore -f</c> process (injected by TestSupport's
/// StartupHook) leaves a line naming the resource being worked on before the process ends
/// (issue #15 item 10: one run once ended in SIGABRT and said nothing about what it was doing).
/// </summary>
public sealed class UnhandledExceptionTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    private async Task<string> ResourceAsync(string name)
    {
        var topic = kafka.Broker.CreateUniqueTopic("fault", 4);
        var records = Enumerable.Range(0, 4).ToDictionary(p => (topic, p),
            p => (IReadOnlyList<BackupRecord>)[.. Enumerable.Range(0, 5_000).Select(i => RestoreKit.Record(i, 1000 + i, $"k{i}", new string('v', 100)))]);
        await _s.WriteBackupAsync(records, new Dictionary<string, int> { [topic] = 4 });
        var brokers = string.Join(", ", kafka.Broker.BootstrapServers.Split(',').Select(b => $"\"{b}\""));
        var path = _s.Path(name + ".yaml");
        await File.WriteAllTextAsync(path, $$$"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata: {name: {{{name}}}, namespace: ops}
            spec:
              backupId: {{{_s.BackupId}}}
              targetCluster: {bootstrapServers: [{{{brokers}}}]}
              storage: {storageType: filesystem, filesystem: {path: "{{{_s.Path("backups")}}}"}}
            """);
        return path;
    }

    private ProcessResult Restore(string file, string fault) => ProcessRunner.Run("dotnet",
        [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "restore", "-f", file, "--state-dir", _s.Path("state")],
        environment: new Dictionary<string, string?>
        {
            ["DOTNET_STARTUP_HOOKS"] = typeof(RepoPaths).Assembly.Location,
            ["KR_TEST_FAULT"] = fault,
            ["DOTNET_DbgEnableMiniDump"] = "0",
        },
        timeout: TimeSpan.FromMinutes(2));

    [Fact]
    public async Task An_unhandled_exception_names_the_resource_being_restored_before_the_process_ends()
    {
        var file = await ResourceAsync("fault-unhandled");

        var result = Restore(file, "unhandled");

        // The runtime ends the process with SIGABRT (exit 134) after the handler, as it did in the run the issue saw.
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("kafka-restored: unhandled exception; the process ends, while working on KafkaRestore ops/fault-unhandled: " +
            "System.InvalidOperationException: unhandled fault injected by the test", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_that_failed_unobserved_is_logged_with_the_resource_and_the_restore_goes_on()
    {
        var file = await ResourceAsync("fault-unobserved");

        var result = Restore(file, "unobserved");

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("phase: Completed", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("kafka-restored: a task failed and nothing awaited it, while working on KafkaRestore ops/fault-unobserved: " +
            "System.InvalidOperationException: unobserved fault injected by the test", result.StdErr, StringComparison.Ordinal);
    }
}
