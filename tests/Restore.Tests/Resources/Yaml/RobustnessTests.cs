using System.Text;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Validation;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Resources.Yaml;

/// <summary>Hostile and broken input ends in diagnostics, never in an exception, a hang or huge memory.</summary>
public class RobustnessTests
{
    private const string Head =
        "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata: {name: hostile}\nspec:\n  backupId: b\n" +
        "  targetCluster: {bootstrapServers: ['kafka:9092']}\n  storage: {storageType: filesystem, filesystem: {path: /backups}}\n";

    /// <summary>Loads on a worker thread; a load that does not finish in a minute counts as a hang.
    /// Also returns the bytes that thread allocated while loading.</summary>
    private static (LoadResult Result, long Allocated) Load(string text)
    {
        var task = Task.Run(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var result = ResourceLoader.LoadText("hostile.yaml", text);
            return (result, GC.GetAllocatedBytesForCurrentThread() - before);
        });
        Assert.True(task.Wait(TimeSpan.FromMinutes(1)), "loading did not finish within a minute");
        return task.Result;
    }

    private static string Lines(LoadResult r) => string.Join("\n", r.Diagnostics);

    [Fact]
    public void A_10_MB_resource_document_is_cut_at_the_document_cap_where_it_crosses_it()
    {
        var sb = new StringBuilder(Head).Append("  topics:\n");
        for (var i = 0; sb.Length < 10_000_000; i++) sb.Append("    - topic-").Append(i).Append('\n');
        var text = sb.ToString();
        // The cap is hit by the first topic scalar that ends past MaxDocumentChars characters.
        var line = 1;
        var lineStart = 0;
        for (var i = 0; ; i++)
        {
            if (text[i] != '\n') continue;
            if (i > ResourceLimits.MaxDocumentChars && text.AsSpan(lineStart).StartsWith("    - ")) break;
            line++;
            lineStart = i + 1;
        }

        var (result, allocated) = Load(text);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((line, 7, DiagnosticCodes.DocumentTooLarge), (d.Line, d.Column, d.Code));
        Assert.Equal("KafkaRestore default/hostile", d.Resource.ToString());
        Assert.Empty(result.Resources);
        Assert.True(allocated < 200_000_000, $"allocated {allocated:N0} bytes");

        // The same 10 MB as a file on disk, as validate and the daemon read it.
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("ten-mb.yaml"), text);
        var fromFile = Assert.Single(ResourceLoader.LoadPaths([dir.Path]).Diagnostics);
        Assert.Equal((dir.Combine("ten-mb.yaml"), line, 7, DiagnosticCodes.DocumentTooLarge),
            (fromFile.File, fromFile.Line, fromFile.Column, fromFile.Code));
    }

    [Fact]
    public void A_document_of_another_apiVersion_streams_through_past_the_document_cap_and_the_resource_after_it_loads()
    {
        // Three times the resource document cap: other apiVersions are never kept, so they are not capped.
        var sb = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n");
        for (var i = 0; sb.Length < 3 * ResourceLimits.MaxDocumentChars; i++) sb.Append("  key").Append(i).Append(": value-").Append(i).Append('\n');
        sb.Append("---\n").Append(Head);

        var (result, _) = Load(sb.ToString());

        Assert.Empty(result.Diagnostics);
        Assert.Equal("KafkaRestore default/hostile", Assert.Single(result.Resources).Resource.Id.ToString());
    }

    [Fact]
    public void A_file_over_the_file_cap_is_reported_without_being_parsed()
    {
        var text = new string('#', ResourceLimits.MaxFileChars + 1);

        var (result, _) = Load(text);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((1, 1, DiagnosticCodes.FileTooLarge), (d.Line, d.Column, d.Code));
    }

    [Fact]
    public void A_huge_file_on_disk_is_reported_without_being_read()
    {
        using var dir = new TempDir();
        var path = dir.Combine("huge.yaml");
        using (var f = File.Create(path)) f.SetLength(200L * 1024 * 1024); // sparse: costs no disk

        var result = ResourceLoader.LoadPaths([path]);

        Assert.Equal(DiagnosticCodes.FileTooLarge, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void One_huge_scalar_is_cut_at_the_document_cap()
    {
        var (result, _) = Load(Head.Replace("backupId: b", "backupId: " + new string('x', 10_000_000), StringComparison.Ordinal));

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((5, 13, DiagnosticCodes.DocumentTooLarge), (d.Line, d.Column, d.Code));
    }

    [Fact]
    public void Deep_flow_nesting_stops_at_the_depth_cap_instead_of_scanning_quadratically()
    {
        // The root mapping is level 1, spec level 2, so the first '[' (column 16) is level 3.
        var text = Head + "  podTemplate: " + new string('[', 200_000) + new string(']', 200_000) + "\n";

        var (result, _) = Load(text);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((8, 16 + (ResourceLimits.MaxDepth + 1 - 3), DiagnosticCodes.NestingTooDeep), (d.Line, d.Column, d.Code));
        Assert.Equal("KafkaRestore default/hostile", d.Resource.ToString());
    }

    [Fact]
    public void Deep_block_nesting_stops_at_the_depth_cap()
    {
        var sb = new StringBuilder(Head).Append("  podTemplate:\n");
        for (var i = 0; i < 5000; i++) sb.Append(' ', 4 + i).Append("a:\n");

        var (result, _) = Load(sb.ToString());

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.NestingTooDeep, d.Code);
        // podTemplate's value is level 3 and starts on line 9; level 65 is 62 lines further down.
        Assert.Equal(9 + ResourceLimits.MaxDepth + 1 - 3, d.Line);
    }

    [Fact]
    public void Deep_nesting_without_an_apiVersion_is_reported_and_inside_another_apiVersion_is_ignored()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);

        var (unknown, _) = Load("data: " + deep + "\n");
        var (foreign, _) = Load("apiVersion: v1\nkind: ConfigMap\ndata: " + deep + "\n---\n" + Head);

        Assert.Equal((1, 7 + ResourceLimits.MaxDepth - 1, DiagnosticCodes.NestingTooDeep),
            (unknown.Diagnostics.Single().Line, unknown.Diagnostics.Single().Column, unknown.Diagnostics.Single().Code));
        Assert.Empty(foreign.Diagnostics);
        Assert.Single(foreign.Resources);
    }

    private static string BillionLaughs(string head)
    {
        var sb = new StringBuilder(head).Append("  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 10; i++)
            sb.Append($"  a{i}: &a{i} [").Append(string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))).Append("]\n");
        return sb.ToString();
    }

    [Fact]
    public void A_billion_laughs_document_is_stopped_at_the_alias_that_crosses_the_expansion_cap()
    {
        var text = BillionLaughs("apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata: {name: lol}\nspec:\n");

        var (result, allocated) = Load(text);

        // a0..a3 expand to 11 + 111 + 1,111 + 11,111 nodes; a4's 8th alias (*a3, 11,111 more) crosses 100,000.
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((9, 12 + (7 * 5), DiagnosticCodes.AliasExpansionTooLarge), (d.Line, d.Column, d.Code));
        Assert.Equal("KafkaRestore default/lol", d.Resource.ToString());
        Assert.True(allocated < 20_000_000, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_billion_laughs_document_of_another_apiVersion_or_none_is_ignored_cheaply()
    {
        var (foreign, a1) = Load(BillionLaughs("apiVersion: v1\nkind: ConfigMap\ndata:\n"));
        var (none, a2) = Load(BillionLaughs("data:\n"));

        Assert.Empty(foreign.Diagnostics);
        Assert.Empty(none.Diagnostics);
        Assert.True(a1 + a2 < 20_000_000);
    }

    [Fact]
    public void Anchors_and_aliases_within_the_caps_expand_to_the_anchored_values()
    {
        var withAliases = """
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaOffsetReset
            metadata: {name: aliased}
            spec:
              kafkaCluster: &cluster
                bootstrapServers: &brokers [kafka-0:9092, kafka-1:9092]
              consumerGroups: &groups [order-processor, payment-handler]
              topics: [orders]
              strategy: latest
              snapshotBeforeReset: {enabled: true, snapshotId: &id pre-reset}
            """;
        var written = withAliases.Replace("&cluster", "", StringComparison.Ordinal).Replace("&brokers ", "", StringComparison.Ordinal)
            .Replace("&groups ", "", StringComparison.Ordinal).Replace("&id ", "", StringComparison.Ordinal);

        var a = ResourceLoader.LoadText("a.yaml", withAliases);
        var b = ResourceLoader.LoadText("b.yaml", written);

        Assert.Empty(a.Diagnostics);
        Assert.Equal(b.Resources.Single().Resource, a.Resources.Single().Resource);

        var reused = ResourceLoader.LoadText("c.yaml", withAliases + "\n  topicMapping: {orders: *id}\n");
        Assert.Equal("pre-reset", ((Restore.Resources.Model.KafkaOffsetReset)reused.Resources.Single().Resource).Spec.TopicMapping["orders"]);
    }

    /// <summary>Text, and the codes it must give in order (none: not a resource document, so ignored).</summary>
    public static TheoryData<string, string> MalformedInputs() => new()
    {
        { "", "" },
        { "\n\n\n", "" },
        { "---", "" },
        { "--- \n...\n---\n", "" },
        { "{", "YamlSyntax" },
        { "]", "YamlSyntax" },
        { "[[[", "" },
        { ": : :", "YamlSyntax" },
        { "&a", "" },
        { "*", "YamlSyntax" },
        { "*a", "" },
        { "!!", "" },
        { "!<tag:x> a", "" },
        { "%YAML 9.9\n---\na: 1", "YamlSyntax" },
        { "%TAG ! tag:example.com,2000:\n--- !foo\napiVersion: kafka.oso.sh/v1alpha1", "UnsupportedTag RequiredField RequiredField" },
        { "\uFEFFapiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\n", "RequiredField RequiredField" },
        { "\0\u0001\u0002", "" },
        { "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata:\n\tname: x\n", "YamlSyntax" },
        { "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata: {name: x\nspec: {}\n", "YamlSyntax" },
        { "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata: {name: \"x}\n", "YamlSyntax" },
        { "apiVersion: kafka.oso.sh/v1alpha1\nkind: [KafkaRestore]\nmetadata: 5\nspec: x\n", "InvalidType InvalidType" },
        { "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata: {name: x}\nspec: |\n  backupId: b\n", "InvalidType" },
        { "apiVersion: kafka.oso.sh/v1alpha1\n? [complex, key]\n: value\n", "RequiredField RequiredField InvalidType" },
        { "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata: &m {name: x, self: *m}\n", "InvalidAlias" },
        { "- apiVersion: kafka.oso.sh/v1alpha1\n  kind: KafkaRestore\n", "IgnoredDocument" }, // a sequence of resources: warned, not read
        { "apiVersion: !!binary aGVsbG8=\n", "" },
        { "apiVersion: kafka.oso.sh/v1alpha1\r\nkind: KafkaRestore\r\nmetadata:\r\n  name: x\r\n  bad key: [\r\n", "YamlSyntax" },
        { "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata: {name: x}\nspec:\n  backupId: >\n    folded\n  job: {backoffLimit: 99999999999999999999999}\n", "RequiredField RequiredField InvalidBackupId OutOfRange" },
    };

    [Theory]
    [MemberData(nameof(MalformedInputs))]
    public void Malformed_input_gives_positioned_diagnostics_not_exceptions(string text, string codes)
    {
        var (result, _) = Load(text);

        Assert.All(result.Diagnostics, d =>
        {
            Assert.True(d.Line >= 1 && d.Column >= 1, d.ToString());
            Assert.DoesNotContain('\n', d.ToString());
            Assert.False(string.IsNullOrWhiteSpace(d.Code));
        });
        Assert.All(result.Resources, r => Assert.Equal("KafkaRestore", r.Resource.Kind));
        Assert.Equal(codes, string.Join(" ", result.Diagnostics.Select(d => d.Code)));
    }

    [Fact]
    public void Long_topic_lists_and_mappings_within_the_caps_load()
    {
        var sb = new StringBuilder(Head).Append("  topics:\n");
        for (var i = 0; i < 30_000; i++) sb.Append("    - t").Append(i).Append('\n');
        sb.Append("  topicMapping:\n");
        for (var i = 0; i < 30_000; i++) sb.Append("    t").Append(i).Append(": r").Append(i).Append('\n');

        var (result, _) = Load(sb.ToString());

        Assert.Empty(result.Diagnostics);
        var r = Assert.IsType<Restore.Resources.Model.KafkaRestore>(result.Resources.Single().Resource);
        Assert.Equal("r29999", r.Spec.TopicMapping["t29999"]);
    }

    [Fact]
    public void Random_mutations_of_an_example_never_throw()
    {
        var example = File.ReadAllText(Path.Combine(RepoPaths.Root, "examples", "repo", "restores", "production-restore.yaml"));
        var random = new Random(20241201);
        const string alphabet = " \t\n:-[]{}&*!|>'\"#%@`,?~abcXYZ019";
        var diagnostics = 0;
        for (var round = 0; round < 2000; round++)
        {
            var chars = new StringBuilder(example);
            for (var edits = random.Next(1, 6); edits > 0; edits--)
            {
                var at = random.Next(chars.Length);
                switch (random.Next(3))
                {
                    case 0:
                        chars.Remove(at, 1);
                        break;
                    case 1:
                        chars.Insert(at, alphabet[random.Next(alphabet.Length)]);
                        break;
                    default:
                        chars[at] = alphabet[random.Next(alphabet.Length)];
                        break;
                }
            }
            var result = ResourceLoader.LoadText("mutant.yaml", chars.ToString());
            Assert.All(result.Diagnostics, d => Assert.True(d.Line >= 1 && d.Column >= 1, d.ToString()));
            diagnostics += result.Diagnostics.Count;
        }
        Assert.True(diagnostics > 1000, "mutations should mostly be caught");
    }

    [Theory]
    [InlineData("name: \"hostile\\n\"", DiagnosticCodes.InvalidName)]
    [InlineData("name: hostile, namespace: \"kafka-backup\\n\"", DiagnosticCodes.InvalidName)]
    [InlineData("name: \"../../etc\"", DiagnosticCodes.InvalidName)]
    [InlineData("name: hostile, namespace: a/b", DiagnosticCodes.InvalidName)]
    public void A_name_with_a_trailing_newline_or_a_path_is_refused_and_carries_no_identity(string metadata, string code)
    {
        // A regex '$' also matches before a final newline: names, topics and timestamps are anchored with \z.
        var (result, _) = Load(Head.Replace("name: hostile", metadata, StringComparison.Ordinal));

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(code, d.Code);
        Assert.Null(d.Resource);
        Assert.Empty(result.Resources);
    }

    [Theory]
    [InlineData("  topics: [\"orders\\n\"]\n", DiagnosticCodes.InvalidTopicName)]
    [InlineData("  pitr: {enabled: true, timestamp: \"2024-12-01T12:00:00Z\\n\"}\n", DiagnosticCodes.InvalidTimestamp)]
    public void Values_with_a_trailing_newline_are_refused(string line, string code)
    {
        var (result, _) = Load(Head + line);

        Assert.Equal(code, Assert.Single(result.Diagnostics).Code);
    }
}
