using System.Text.RegularExpressions;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Tests.Engine;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Restore.Tests.Hostile;

/// <summary>
/// Every hostile backup in tests/fixtures/hostile/backups, run through the restore engine against
/// the mock broker: each must fail with the reason its README row names, before anything is
/// written, and without any byte of the planted secret in the message.
/// </summary>
public sealed partial class HostileBackupFixtureTests(KafkaFixture kafka, ITestOutputHelper log) : IClassFixture<KafkaFixture>
{
    /// <summary>The fixture folder: one storage root per case, each holding the backup "hostile".</summary>
    public static string Folder => Path.Combine(RepoPaths.Root, "tests", "fixtures", "hostile", "backups");

    /// <summary>Case name → the reason its README row says it must produce.</summary>
    public static IReadOnlyDictionary<string, string> ExpectedReasons()
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(Folder, "README.md")))
        {
            if (Row().Match(line) is { Success: true } m) rows.Add(m.Groups["case"].Value, m.Groups["reason"].Value);
        }
        return rows;
    }

    /// <summary>Every case folder, so a folder added without a README row fails below.</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Folder).Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(dir));
        return data;
    }

    [Fact]
    public void Every_case_folder_has_a_README_row_and_every_row_a_folder()
    {
        var folders = Directory.GetDirectories(Folder).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(folders);
        Assert.Equal(folders, ExpectedReasons().Keys.Order(StringComparer.Ordinal).ToList());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_hostile_backup_fails_with_the_reason_its_README_names(string name)
    {
        var expected = ExpectedReasons()[name];
        using var state = new TempDir("kr-hostile-state");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        // Legal topic names are mapped to fresh ones, so cases never share a target topic.
        var targets = new[] { "hostile-orders-" + suffix, "hostile-bomb-" + suffix };
        var mapping = new ValueMap(new Dictionary<string, string> { ["orders"] = targets[0], ["bomb"] = targets[1] });
        // The mock broker cannot create topics through the Admin API: they exist before the restore.
        foreach (var t in targets) kafka.Broker.CreateTopic(t, 1);
        var restore = RestoreKit.Restore("hostile", kafka.Broker.BootstrapServers, RestoreKit.Filesystem(Path.Combine(Folder, name)),
            s => s with { TopicMapping = mapping });

        var result = await EngineRuns.RunAsync(restore,
            new RestoreEnvironment(new KafkaRestored.Restore.Secrets.SecretStore(state.Combine("secrets")), new FileRestoreStateStore(state.Path), "ops/" + name)
            {
                Tuning = Engine.EngineScenario.FastTuning,
            }, null, CancellationToken.None);
        log.WriteLine($"{name}: {result.Reason}: {result.Message}");

        Assert.Equal(RestoreOutcome.Failed, result.Outcome);
        Assert.Equal(expected, result.Reason);
        Assert.Equal(0, result.RestoredRecords);
        Assert.DoesNotContain("-----", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("2D2D2D2D", result.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\n", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", result.Message, StringComparison.Ordinal);
        foreach (var t in targets) Assert.Equal([0L], RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, t, 1));
    }

    [GeneratedRegex(@"^\| `(?<case>[a-z0-9-]+)` \| `(?<reason>[A-Za-z]+)` \|")]
    private static partial Regex Row();
}
