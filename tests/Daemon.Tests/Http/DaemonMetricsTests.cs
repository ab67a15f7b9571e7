using KafkaRestored.Daemon.Hosting;
using KafkaRestored.Daemon.Http;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>The restore-duration histogram as a scraper reads it.</summary>
public sealed class DaemonMetricsTests
{
    [Fact]
    public void Durations_fall_into_cumulative_buckets_with_sum_and_count()
    {
        double[] durations = [30, 60, 200, 4000, 100_000];
        var text = PrometheusText.Render([DaemonMetrics.Histogram("restore_duration_seconds", "test", DaemonMetrics.RestoreDurationBuckets, durations)]);

        var parsed = PrometheusTextParser.Parse(text);

        Assert.Equal("histogram", parsed.Types["restore_duration_seconds"]);
        // Each bucket counts the durations at or under its bound (an upper bound is inclusive).
        foreach (var bound in DaemonMetrics.RestoreDurationBuckets)
        {
            var le = bound.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(durations.Count(d => d <= bound), parsed[$"restore_duration_seconds_bucket{{le=\"{le}\"}}"]);
        }
        Assert.Equal(2, parsed["restore_duration_seconds_bucket{le=\"60\"}"]);
        Assert.Equal(4, parsed["restore_duration_seconds_bucket{le=\"86400\"}"]);
        Assert.Equal(5, parsed["restore_duration_seconds_bucket{le=\"+Inf\"}"]);
        Assert.Equal(104_290, parsed["restore_duration_seconds_sum"]);
        Assert.Equal(5, parsed["restore_duration_seconds_count"]);
    }

    [Fact]
    public void No_completed_restore_gives_zero_buckets_not_a_gap()
    {
        var parsed = PrometheusTextParser.Parse(PrometheusText.Render([DaemonMetrics.Histogram("d", "test", DaemonMetrics.RestoreDurationBuckets, [])]));

        Assert.Equal(DaemonMetrics.RestoreDurationBuckets.Count + 3, parsed.Series.Count);
        Assert.All(parsed.Series.Values, v => Assert.Equal(0, v));
    }
}
