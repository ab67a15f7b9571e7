using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Pure helpers that update a condition list by the metav1.Condition rules.</summary>
public static class Conditions
{
    /// <summary>
    /// Returns <paramref name="current"/> with the condition of <paramref name="type"/> set. The
    /// transition time is <paramref name="now"/> when the condition is new or its status flips, and is
    /// kept otherwise (a changed reason or message alone is not a transition). Order is kept; new
    /// conditions go last.
    /// </summary>
    public static ValueList<Condition> Set(
        ValueList<Condition> current,
        string type,
        ConditionStatus status,
        string reason,
        string message,
        DateTimeOffset now,
        long? observedGeneration = null)
    {
        var result = new List<Condition>(current.Count + 1);
        var found = false;
        foreach (var c in current)
        {
            if (c.Type != type)
            {
                result.Add(c);
                continue;
            }
            found = true;
            var transition = c.Status == status ? c.LastTransitionTime : now;
            result.Add(new Condition(type, status, reason, message, transition, observedGeneration));
        }
        if (!found) result.Add(new Condition(type, status, reason, message, now, observedGeneration));
        return new ValueList<Condition>(result);
    }

    /// <summary>Returns <paramref name="current"/> without the condition of <paramref name="type"/>.</summary>
    public static ValueList<Condition> Remove(ValueList<Condition> current, string type) =>
        current.Any(c => c.Type == type) ? new ValueList<Condition>(current.Where(c => c.Type != type)) : current;

    /// <summary>The condition of <paramref name="type"/>, or null.</summary>
    public static Condition? Find(IEnumerable<Condition> current, string type) =>
        current.FirstOrDefault(c => c.Type == type);
}
