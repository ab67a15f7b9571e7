using KafkaRestored.Restore.Resources.Policy;

namespace KafkaRestored.Restore.Tests.Resources.Policy;

public class PolicyPatternTests
{
    [Theory]
    [InlineData("*", "", true)]
    [InlineData("*", "anything/at:all", true)]
    [InlineData("prod-kafka", "prod-kafka", true)]
    [InlineData("prod-kafka", "prod-kafka2", false)]
    [InlineData("prod-kafka", "Prod-kafka", false)]
    [InlineData("dr-kafka-*:9092", "dr-kafka-0:9092", true)]
    [InlineData("dr-kafka-*:9092", "dr-kafka-:9092", true)]
    [InlineData("dr-kafka-*:9092", "dr-kafka-0:19092", false)]
    [InlineData("dr-kafka-*:9092", "evil-dr-kafka-0:9092", false)]
    [InlineData("aws/kafka-backups/team-a*", "aws/kafka-backups/team-a/nightly", true)]
    [InlineData("aws/kafka-backups/team-a*", "aws/kafka-backups/team-b", false)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxcyyb", false)]
    [InlineData("a*b*c", "axxc", false)]
    [InlineData("a*b*b*c", "abc", false)]
    [InlineData("a*b*b*c", "abxbc", true)]
    [InlineData("*b*", "bxx", true)]
    [InlineData("team-*-prod*", "team-a-prod/nightly", true)]
    [InlineData("team-*-prod*", "team-a-dev/nightly", false)]
    [InlineData("a*a", "a", false)]
    [InlineData("*.svc:9092", "kafka.ns.svc:9092", true)]
    [InlineData("**", "x", true)]
    public void Star_matches_any_run_including_slashes_and_nothing_else_is_special(string pattern, string value, bool expected) =>
        Assert.Equal(expected, PolicyPattern.Matches(pattern, value));

    [Fact]
    public void Case_is_ignored_only_when_asked()
    {
        Assert.True(PolicyPattern.Matches("DR-Kafka-*:9092", "dr-kafka-1:9092", ignoreCase: true));
        Assert.False(PolicyPattern.Matches("DR-Kafka-*:9092", "dr-kafka-1:9092"));
    }

    [Fact]
    public void Regex_and_path_characters_are_literal()
    {
        Assert.False(PolicyPattern.Matches("a.c", "abc"));
        Assert.False(PolicyPattern.Matches("a?c", "abc"));
        Assert.True(PolicyPattern.Matches("a?c", "a?c"));
        Assert.False(PolicyPattern.Matches("[ab]", "a"));
    }
}
