using System.Text.RegularExpressions;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Resources.Validation;

/// <summary>Runs every document in Corpus/: its header says which diagnostics (line:column severity code)
/// it must produce, exactly, and which resource identity they must carry.</summary>
public partial class CorpusTests
{
    private static readonly string CorpusDir = Path.Combine(RepoPaths.Root, "tests", "Restore.Tests", "Resources", "Validation", "Corpus");

    [GeneratedRegex(@"^# expect: (\d+:\d+ (error|warning) \w+)$", RegexOptions.Multiline)]
    private static partial Regex Expectation();

    [GeneratedRegex(@"^# resource: (.+)$", RegexOptions.Multiline)]
    private static partial Regex ResourceLine();

    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(CorpusDir, "*.yaml").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Each_corpus_document_reports_exactly_its_expected_diagnostics(string name)
    {
        var text = File.ReadAllText(Path.Combine(CorpusDir, name));
        var expected = Expectation().Matches(text).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);

        var result = ResourceLoader.LoadText(name, text);

        var actual = result.Diagnostics
            .Select(d => $"{d.Line}:{d.Column} {(d.IsError ? "error" : "warning")} {d.Code}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.SequenceEqual(actual),
            $"expected:\n  {string.Join("\n  ", expected)}\nactual:\n  {string.Join("\n  ", result.Diagnostics)}");
        Assert.All(result.Diagnostics, d => Assert.StartsWith(name + ":", d.ToString(), StringComparison.Ordinal));
        Assert.All(result.Diagnostics, d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));

        var resourceLine = ResourceLine().Match(text);
        if (resourceLine.Success)
        {
            var want = resourceLine.Groups[1].Value;
            Assert.All(result.Diagnostics, d => Assert.Equal(want, d.Resource?.ToString() ?? "none"));
            if (result.HasErrors || want == "none") Assert.Empty(result.Resources);
            else Assert.Equal(want, Assert.Single(result.Resources).Resource.Id.ToString());
        }
    }

    [Fact]
    public void The_corpus_holds_at_least_40_invalid_documents_and_some_with_several_defects()
    {
        var files = Directory.GetFiles(CorpusDir, "*.yaml").Select(File.ReadAllText).ToList();
        Assert.True(files.Count(t => Expectation().Matches(t).Any(m => m.Groups[2].Value == "error")) >= 40);
        Assert.True(files.Count(t => Expectation().Count(t) >= 3) >= 2);
    }

    [Fact]
    public void Each_document_of_a_multi_document_file_keeps_its_own_identity_and_the_valid_one_loads()
    {
        var name = "several-documents-one-file.yaml";
        var result = ResourceLoader.LoadText(name, File.ReadAllText(Path.Combine(CorpusDir, name)));

        Assert.Equal(
            ["InvalidBackupId KafkaRestore default/corpus-restore", "RequiredField KafkaOffsetReset default/reset-one",
             "YamlSyntax KafkaRestore default/broken"],
            result.Diagnostics.Select(d => $"{d.Code} {d.Resource}"));
        var loaded = Assert.Single(result.Resources);
        Assert.Equal(new ResourceId(ResourceKinds.KafkaOffsetRollback, "default", "corpus-rollback"), loaded.Resource.Id);
        Assert.Equal((name, 35, 1), (loaded.File, loaded.Line, loaded.Column));
    }
}
