using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Resources;

/// <summary>Small resources the model tests share.</summary>
internal static class ResourceSamples
{
    internal const string Minimal = SampleResources.MinimalRestore;

    internal static KafkaResource Single(string yaml)
    {
        var result = ResourceLoader.LoadText("t.yaml", yaml);
        Assert.True(result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Resources).Resource;
    }
}
