using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Validation;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Planning;

/// <summary>What the desired state makes of loaded resources: spec hashes and identities.</summary>
public class DesiredStateLoaderTests
{
    private const string Minimal = SampleResources.MinimalRestore;

    [Fact]
    public void Editing_podTemplate_content_is_no_spec_change_but_adding_or_removing_podTemplate_is()
    {
        KafkaResource Load(string tail) => ResourceLoader.LoadText("t.yaml", Minimal + tail).Resources.Single().Resource;
        var without = Load("");
        var empty = Load("  podTemplate: {}\n");
        var labelled = Load("  podTemplate: {labels: {app: restore}, tolerations: [{operator: Exists}]}\n");

        Assert.NotEqual(empty, labelled);
        Assert.Equal(DesiredStateLoader.SpecHash(empty), DesiredStateLoader.SpecHash(labelled));
        Assert.NotEqual(DesiredStateLoader.SpecHash(without), DesiredStateLoader.SpecHash(empty));
    }

    [Theory]
    [InlineData("KafkaRestorE", " (kinds are case-sensitive)")]
    [InlineData("kafkarestore", " (kinds are case-sensitive)")]
    [InlineData("Kafkarestore", " (kinds are case-sensitive)")]
    [InlineData("KafkaRestor", "")]
    public void A_near_miss_of_a_kind_gets_a_did_you_mean_and_no_identity_so_it_cannot_touch_the_real_resource(string kind, string caseNote)
    {
        var nearMiss = Minimal.Replace("kind: KafkaRestore", "kind: " + kind, StringComparison.Ordinal);
        // Cut off mid-document: what was read must not give it an identity either.
        var broken = nearMiss.Replace("name: minimal", "name: minimal\n  labels: {a: [", StringComparison.Ordinal);

        var result = ResourceLoader.Combine([
            ResourceLoader.ParseFile("real.yaml", Minimal),
            ResourceLoader.ParseFile("typo.yaml", nearMiss),
            ResourceLoader.ParseFile("broken.yaml", broken),
        ]);

        Assert.Equal(
            $"typo.yaml:2:7: error: UnknownKind: kind \"{kind}\" is not one of KafkaRestore, KafkaOffsetReset, KafkaOffsetRollback, KafkaBackup, KafkaRestoreDrill under kafka.oso.sh/v1alpha1; " +
            $"did you mean \"KafkaRestore\"?{caseNote}; the document is not executed and gets no status file until its kind is fixed",
            Assert.Single(result.Diagnostics, d => d.File == "typo.yaml").ToString());
        Assert.Contains(result.Diagnostics, d => d.File == "broken.yaml" && d.Code == DiagnosticCodes.YamlSyntax);
        Assert.All(result.Diagnostics, d => Assert.Null(d.Resource));
        // Positive control: the real resource of the same name is loaded, not reported as a duplicate.
        Assert.Equal("KafkaRestore default/minimal", Assert.Single(result.Resources).Resource.Id.ToString());
        var desired = DesiredStateLoader.Build("c1", result);
        Assert.Equal([new ResourceId("KafkaRestore", "default", "minimal")], desired.Resources.Keys);
        Assert.Equal(2, desired.FileErrors.Count);
    }
}
