using System.Globalization;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Validation;
using KafkaRestored.Restore.Resources.Yaml;
using static KafkaRestored.Restore.Tests.Resources.ResourceSamples;

namespace KafkaRestored.Restore.Tests.Resources.Validation;

/// <summary>Kubernetes quantities and ISO 8601 timestamps as the validator reads them.</summary>
public class QuantitiesTests
{
    [Theory]
    [InlineData("500m", 500)]
    [InlineData("2", 2000)]
    [InlineData("0.5", 500)]
    [InlineData("1.5", 1500)]
    [InlineData("\"4\"", 4000)]
    [InlineData("250m", 250)]
    [InlineData("0.0001", 1)]
    [InlineData("1e1", 10000)]
    public void Cpu_quantities_become_millicores(string text, long millis)
    {
        var r = Assert.IsType<KafkaRestore>(Single(Minimal + $"  resources: {{limits: {{cpu: {text}}}}}\n"));

        Assert.Equal(millis, r.Spec.Resources!.Limits!.CpuMillis);
    }

    [Theory]
    [InlineData("512Mi", 536_870_912L)]
    [InlineData("2Gi", 2_147_483_648L)]
    [InlineData("1G", 1_000_000_000L)]
    [InlineData("1e9", 1_000_000_000L)]
    [InlineData("1073741824", 1_073_741_824L)]
    [InlineData("1.5Gi", 1_610_612_736L)]
    [InlineData("128k", 128_000L)]
    [InlineData("64Ki", 65_536L)]
    public void Memory_quantities_become_bytes(string text, long bytes)
    {
        var r = Assert.IsType<KafkaRestore>(Single(Minimal + $"  resources: {{requests: {{memory: 1}}, limits: {{memory: {text}}}}}\n"));

        Assert.Equal(bytes, r.Spec.Resources!.Limits!.MemoryBytes);
        Assert.Equal(1, r.Spec.Resources.Requests!.MemoryBytes);
    }

    [Theory]
    [InlineData("2024-12-01T12:00:00Z", 1_733_054_400_000L)]
    [InlineData("2024-12-01T13:00:00+01:00", 1_733_054_400_000L)]
    [InlineData("2024-12-01T12:00:00.5Z", 1_733_054_400_500L)]
    [InlineData("2024-12-01t07:00:00-05:00", 1_733_054_400_000L)]
    public void Pitr_timestamps_with_a_zone_give_the_instant_and_keep_their_offset_in_canonical_form(string text, long millis)
    {
        var r = Assert.IsType<KafkaRestore>(Single(Minimal + $"  pitr: {{enabled: true, timestamp: \"{text}\"}}\n"));

        Assert.Equal(millis, r.Spec.Pitr!.CutoffMillis);
        var canonical = ResourceYaml.Serialize(r);
        Assert.Equal(r, Single(canonical));
        Assert.Contains(Timestamps.Format(r.Spec.Pitr.Timestamp!.Value), canonical, StringComparison.Ordinal);
        Assert.Equal(r.Spec.Pitr.Timestamp.Value.Offset,
            DateTimeOffset.Parse(Timestamps.Format(r.Spec.Pitr.Timestamp.Value), CultureInfo.InvariantCulture).Offset);
    }
}
