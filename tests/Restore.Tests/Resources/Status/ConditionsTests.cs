using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Tests.Resources.Status;

public sealed class ConditionsTests
{
    private static readonly DateTimeOffset T0 = new(2024, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = T0.AddMinutes(5);
    private static readonly DateTimeOffset T2 = T0.AddMinutes(30);

    [Fact]
    public void A_new_condition_gets_the_current_time_as_its_transition_time()
    {
        var list = Conditions.Set(ValueList<Condition>.Empty, ConditionTypes.Ready, ConditionStatus.False, "Pending", "waiting", T0);
        var ready = Assert.Single(list);
        Assert.Equal(T0, ready.LastTransitionTime);
        Assert.Equal(ConditionStatus.False, ready.Status);
    }

    [Fact]
    public void Changing_reason_or_message_without_a_status_flip_keeps_the_transition_time()
    {
        var list = Conditions.Set(ValueList<Condition>.Empty, ConditionTypes.Ready, ConditionStatus.False, "Pending", "waiting", T0);
        list = Conditions.Set(list, ConditionTypes.Ready, ConditionStatus.False, "Running", "restoring", T1);
        var ready = Assert.Single(list);
        Assert.Equal(T0, ready.LastTransitionTime);
        Assert.Equal("Running", ready.Reason);
        Assert.Equal("restoring", ready.Message);
    }

    [Fact]
    public void A_status_flip_moves_the_transition_time()
    {
        var list = Conditions.Set(ValueList<Condition>.Empty, ConditionTypes.Ready, ConditionStatus.False, "Running", "restoring", T0);
        list = Conditions.Set(list, ConditionTypes.Ready, ConditionStatus.True, "RestoreCompleted", "done", T2);
        Assert.Equal(T2, Assert.Single(list).LastTransitionTime);
    }

    [Fact]
    public void Setting_one_type_leaves_the_others_in_place_and_in_order()
    {
        var list = Conditions.Set(ValueList<Condition>.Empty, ConditionTypes.Ready, ConditionStatus.False, "Pending", "p", T0);
        list = Conditions.Set(list, ConditionTypes.IgnoredFields, ConditionStatus.True, "PodTemplateIgnored", "podTemplate ignored", T0);
        list = Conditions.Set(list, ConditionTypes.Ready, ConditionStatus.True, "RestoreCompleted", "done", T1);
        Assert.Equal([ConditionTypes.Ready, ConditionTypes.IgnoredFields], list.Select(c => c.Type));
        Assert.Equal(T0, list[1].LastTransitionTime);
        Assert.Single(Conditions.Remove(list, ConditionTypes.Ready));
    }

    [Fact]
    public void Setting_an_identical_condition_yields_an_equal_list()
    {
        var list = Conditions.Set(ValueList<Condition>.Empty, ConditionTypes.Ready, ConditionStatus.True, "RestoreCompleted", "done", T0);
        Assert.Equal(list, Conditions.Set(list, ConditionTypes.Ready, ConditionStatus.True, "RestoreCompleted", "done", T2));
    }

    [Fact]
    public void Runner_details_keep_the_reconciler_owned_fields()
    {
        var owned = new KafkaRestoreStatus { Phase = ResourcePhase.Running, Attempts = 2, ObservedGeneration = 3, SourceRevision = "abc" };
        var details = new KafkaRestoreStatus { RestoredRecords = 10, Phase = ResourcePhase.Completed };
        var merged = Assert.IsType<KafkaRestoreStatus>(owned.WithDetailsFrom(details));
        Assert.Equal(ResourcePhase.Running, merged.Phase);
        Assert.Equal(2, merged.Attempts);
        Assert.Equal(10, merged.RestoredRecords);
        Assert.Throws<ArgumentException>(() => owned.WithDetailsFrom(new KafkaOffsetResetStatus()));
    }
}
