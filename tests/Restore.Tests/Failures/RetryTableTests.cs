using System.Reflection;
using System.Text.RegularExpressions;
using KafkaRestored.Restore.Failures;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Failures;

/// <summary>docs/reconciler.md's table of which failures are retried says what the catalogue decides, for every reason.</summary>
public sealed partial class RetryTableTests
{
    [GeneratedRegex(@"`([A-Z][A-Za-z]+)`")]
    private static partial Regex Name();

    [Fact]
    public void Every_failure_reason_is_in_the_column_its_retryability_says()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "reconciler.md"));
        var start = text.IndexOf("### Which failures are retried", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/reconciler.md has no 'Which failures are retried' section");
        var rows = text[start..].Split('\n').SkipWhile(l => !l.StartsWith("| Retried", StringComparison.Ordinal)).Skip(2)
            .TakeWhile(l => l.StartsWith('|')).ToList();
        Assert.NotEmpty(rows);
        var retried = new HashSet<string>();
        var final = new HashSet<string>();
        foreach (var row in rows)
        {
            var cells = row.Split('|');
            foreach (Match m in Name().Matches(cells[1])) retried.Add(m.Groups[1].Value);
            foreach (Match m in Name().Matches(cells[2])) final.Add(m.Groups[1].Value);
        }

        var reasons = typeof(FailureReason).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(FailureReason)).Select(f => (FailureReason)f.GetValue(null)!).ToList();
        Assert.True(reasons.Count > 40, $"only {reasons.Count} reasons found in the catalogue");
        var wrong = reasons.Where(r => !(r.Retryable ? retried : final).Contains(r.Name))
            .Select(r => $"{r.Name} (Retryable={r.Retryable}) is not in the '{(r.Retryable ? "Retried" : "Not retried")}' column").ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Empty(retried.Intersect(final));
    }
}
