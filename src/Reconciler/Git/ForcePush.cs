namespace KafkaRestored.Reconciler.Git;

/// <summary>A remote branch found rewritten: <paramref name="NewTip"/> does not descend from <paramref name="PreviousTip"/>.</summary>
public sealed record ForcePush(string Branch, string PreviousTip, string NewTip)
{
    /// <summary>One line for health output and logs.</summary>
    public override string ToString() => $"branch '{Branch}' rewritten: {PreviousTip[..Math.Min(12, PreviousTip.Length)]} is not an ancestor of {NewTip[..Math.Min(12, NewTip.Length)]}";
}
