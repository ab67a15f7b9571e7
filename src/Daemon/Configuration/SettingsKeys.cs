using System.Globalization;
using System.Reflection;
using KafkaRestored.Daemon.Notifications;
using KafkaRestored.Reconciler;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Validation;

namespace KafkaRestored.Daemon.Configuration;

/// <summary>
/// The keys a settings source may hold: the properties of <see cref="ReconcilerOptions"/>,
/// <see cref="DaemonOptions"/> and <see cref="CoordinationOptions"/> at the root, <c>IncludePaths:N</c>, <c>SyncWindows:N:FIELD</c>, and <c>Policy:NAMESPACE:LIST:N</c>
/// whose namespaces are free but whose lists are fixed. A key outside them would be bound to nothing
/// and its default used without a word, so each is a problem with a did-you-mean.
/// </summary>
public static class SettingsKeys
{
    private const string PolicyKey = nameof(ReconcilerOptions.Policy);
    private const string IncludePathsKey = nameof(ReconcilerOptions.IncludePaths);
    private const string SyncWindowsKey = nameof(ReconcilerOptions.SyncWindows);
    private const string NotificationsKey = nameof(DaemonOptions.Notifications);

    /// <summary>Every root key, as the README spells it.</summary>
    public static IReadOnlyList<string> Root { get; } = Settable(typeof(ReconcilerOptions)).Concat(Settable(typeof(DaemonOptions))).Concat(Settable(typeof(CoordinationOptions))).ToList();

    /// <summary>The lists of one namespace's policy (the settable properties of <see cref="PolicyEntry"/>: Secrets, Clusters, S3, Azure...).</summary>
    public static IReadOnlyList<string> PolicyLists { get; } = Settable(typeof(PolicyEntry)).ToList();

    /// <summary>The fields of one sync window (the settable properties of <see cref="SyncWindow"/>: Kind, Schedule, Duration...).</summary>
    public static IReadOnlyList<string> SyncWindowFields { get; } = Settable(typeof(SyncWindow)).ToList();

    /// <summary>The fields of one notification target (the settable properties of <see cref="NotificationTarget"/>: Provider, Url, UrlFile...).</summary>
    public static IReadOnlyList<string> NotificationFields { get; } = Settable(typeof(NotificationTarget)).ToList();

    private static IEnumerable<string> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite || typeof(System.Collections.IList).IsAssignableFrom(p.PropertyType))
            .Select(p => p.Name);

    /// <summary>
    /// What is wrong with the configuration key <paramref name="segments"/> (split at ':'), worded with
    /// <paramref name="name"/> that turns a key back into what the user wrote (a JSON path or an
    /// environment variable name); null when the key is one the settings read.
    /// </summary>
    public static string? Problem(IReadOnlyList<string> segments, Func<IReadOnlyList<string>, string> name)
    {
        if (segments.Count == 0) return null;
        var root = Root.FirstOrDefault(k => k.Equals(segments[0], StringComparison.OrdinalIgnoreCase));
        if (root is null && segments.Count > 1 && Root.FirstOrDefault(k => k.Equals(segments[1], StringComparison.OrdinalIgnoreCase)) is { } nested)
        {
            // The old messages said "Reconciler:PollInterval"; a user following them wrote a section nothing reads.
            return $"{name(segments.Take(2).ToList())} is read by nothing: settings sit at the root, not in a section {name([segments[0]])}; write {name([nested])}.";
        }
        if (root is null)
        {
            return $"unknown setting {name([segments[0]])}" + DidYouMean(segments[0], Root, s => name([s])) +
                ": nothing reads it, so the default would be used without a word; the settings are listed in the README under Configuration.";
        }
        if (root == PolicyKey) return PolicyProblem(segments, name);
        if (root == SyncWindowsKey) return ListOfObjectsProblem(segments, name, SyncWindowFields, [nameof(SyncWindow.Namespaces)], "sync window");
        if (root == NotificationsKey)
        {
            return ListOfObjectsProblem(segments, name, NotificationFields,
                [nameof(NotificationTarget.Kinds), nameof(NotificationTarget.Namespaces), nameof(NotificationTarget.Phases), nameof(NotificationTarget.Severities)], "notification target");
        }
        if (root == IncludePathsKey)
        {
            if (segments.Count == 1 || (segments.Count == 2 && IsIndex(segments[1]))) return null;
            return $"{name(segments)} is not a place for a value: {name([root])} is a list of folders (e.g. [\"restores\", \"offsets\"]).";
        }
        return segments.Count == 1 ? null
            : $"{name(segments)} is not a setting: {name([root])} takes one value, not a section of its own.";
    }

    private static string? PolicyProblem(IReadOnlyList<string> segments, Func<IReadOnlyList<string>, string> name)
    {
        // Policy:<namespace> — any namespace name; ReconcilerOptions.ValidatePolicy checks its spelling.
        if (segments.Count <= 2) return null;
        var list = PolicyLists.FirstOrDefault(l => l.Equals(segments[2], StringComparison.OrdinalIgnoreCase));
        if (list is null)
        {
            return $"unknown policy list {name(segments.Take(3).ToList())}" +
                DidYouMean(segments[2], PolicyLists, s => name([segments[0], segments[1], s])) +
                $": each namespace's policy holds only the lists {string.Join(", ", PolicyLists)}.";
        }
        if (segments.Count == 3 || (segments.Count == 4 && IsIndex(segments[3]))) return null;
        return $"{name(segments)} is not a place for a value: {name(segments.Take(3).ToList())} is a list of patterns (e.g. [\"pattern-a\", \"pattern-b\"]).";
    }

    /// <summary>
    /// Problems of a list of objects such as <c>SyncWindows:N:Field</c>: an index, then one of
    /// <paramref name="fields"/>, of which only <paramref name="listFields"/> hold a list of values.
    /// </summary>
    private static string? ListOfObjectsProblem(IReadOnlyList<string> segments, Func<IReadOnlyList<string>, string> name, IReadOnlyList<string> fields,
        IReadOnlyList<string> listFields, string what)
    {
        if (segments.Count == 1) return null;
        if (!IsIndex(segments[1]))
            return $"{name(segments.Take(2).ToList())} is not a place for a value: {name([segments[0]])} is a list of {what}s ([{{ \"{fields[0]}\": ... }}]).";
        if (segments.Count == 2) return null;
        var field = fields.FirstOrDefault(f => f.Equals(segments[2], StringComparison.OrdinalIgnoreCase));
        if (field is null)
        {
            return $"unknown {what} field {name(segments.Take(3).ToList())}" +
                DidYouMean(segments[2], fields, s => name([segments[0], segments[1], s])) +
                $": a {what} holds only {string.Join(", ", fields)}.";
        }
        if (segments.Count == 3 || (listFields.Contains(field) && segments.Count == 4 && IsIndex(segments[3]))) return null;
        return $"{name(segments)} is not a place for a value: {name(segments.Take(3).ToList())} " +
            (listFields.Contains(field) ? "is a list (e.g. [\"value-a\", \"value-b\"])." : "takes one value.");
    }

    private static bool IsIndex(string segment) => int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static string DidYouMean(string given, IEnumerable<string> candidates, Func<string, string> name)
    {
        var best = Suggestions.Closest(given, candidates);
        return best is null ? "" : $" (did you mean {name(best)}?)";
    }
}
