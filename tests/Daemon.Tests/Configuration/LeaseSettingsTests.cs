using KafkaRestored.Daemon.Configuration;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Configuration;

/// <summary>The Git lease's settings: on by default without coordination, validated by name, an error beside coordination.</summary>
public sealed class LeaseSettingsTests
{
    private static CoordinationOptions Bind(Dictionary<string, string?> settings) =>
        ReconcilerSettings.Bind<CoordinationOptions>(ReconcilerSettings.BuildConfiguration(null, settings, new Dictionary<string, string?>()));

    [Fact]
    public void Without_coordination_the_lease_is_on_with_its_defaults()
    {
        var options = Bind([]);

        Assert.True(options.LeaseEnabled);
        Assert.Equal("refs/kafka-restored/lease", options.LeaseRef);
        Assert.Equal(TimeSpan.FromSeconds(120), options.LeaseDuration);
        Assert.Empty(options.Validate());
        Assert.Null(options.LeaseRefProblem("main", "main"));
        Assert.False(Bind(new() { ["Lease"] = "false" }).LeaseEnabled);
    }

    [Theory]
    [InlineData("refs/kafka-restored/lease..x")]
    [InlineData("kafka-restored/lease")]
    [InlineData("refs/kafka restored/lease")]
    [InlineData("refs/kafka-restored/lease.lock")]
    [InlineData("refs/kafka-restored/")]
    [InlineData("refs/.hidden/lease")]
    [InlineData("refs/a@{1}")]
    public void A_lease_ref_that_is_not_a_git_ref_name_under_refs_is_an_error(string leaseRef)
    {
        var problems = Bind(new() { ["LeaseRef"] = leaseRef }).Validate();

        Assert.Equal([$"LeaseRef '{leaseRef}' is not a Git ref name starting with refs/ (e.g. refs/kafka-restored/lease); see git check-ref-format."], problems);
    }

    [Fact]
    public void A_lease_duration_under_three_seconds_is_an_error_and_three_is_fine()
    {
        Assert.Equal(["LeaseDuration must be between 00:00:03 and 1.00:00:00 (the holder renews every third of it), got 00:00:02."],
            Bind(new() { ["LeaseDuration"] = "00:00:02" }).Validate());
        Assert.Empty(Bind(new() { ["LeaseDuration"] = "00:00:03", ["LeaseRef"] = "refs/ops/restore-lease" }).Validate());
    }

    [Fact]
    public void The_lease_ref_may_not_be_a_branch_the_daemon_reads_or_writes()
    {
        var options = Bind(new() { ["LeaseRef"] = "refs/heads/status" });

        Assert.Null(options.LeaseRefProblem("main", "main"));
        Assert.StartsWith("LeaseRef 'refs/heads/status' is the branch 'status' the daemon reconciles or publishes status to", options.LeaseRefProblem("main", "status"), StringComparison.Ordinal);
        Assert.Null(Bind(new() { ["LeaseRef"] = "refs/heads/main", ["Lease"] = "false" }).LeaseRefProblem("main", "main"));
    }

    [Fact]
    public void Lease_settings_beside_coordination_are_an_error_not_ignored()
    {
        var problems = Bind(new() { ["CoordinationBootstrapServers"] = "kafka-1:9092", ["LeaseDuration"] = "00:00:30", ["Lease"] = "false" }).Validate();

        Assert.Equal(["Lease, LeaseDuration take effect only without CoordinationBootstrapServers (distributed mode needs no Git lease): remove them."], problems);
        Assert.False(Bind(new() { ["CoordinationBootstrapServers"] = "kafka-1:9092" }).LeaseEnabled);
    }

    [Fact]
    public void Run_refuses_a_lease_ref_on_its_own_branch_before_anything_starts()
    {
        using var dir = new TempDir();
        var result = ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "run", "--repo", dir.Combine("repo"), "--branch", "main",
            "--state-dir", dir.Combine("state"), "--http-listen", "off"], environment: new Dictionary<string, string?> { ["KAFKA_RESTORED_LeaseRef"] = "refs/heads/main" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("kafka-restored run: LeaseRef 'refs/heads/main' is the branch 'main' the daemon reconciles or publishes status to", result.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("state")), "nothing may start on bad settings");
    }
}
