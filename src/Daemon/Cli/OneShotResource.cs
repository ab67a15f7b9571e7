using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// The resource of a one-shot run (<c>restore -f</c>, <c>offsets reset|rollback -f</c>): exactly one
/// valid resource of the kind in the file, allowed by the host policy of <c>--config</c> (internal
/// target topics need a policy even without one), or the exit code that says why it cannot run.
/// </summary>
internal sealed record OneShotResource(KafkaResource? Resource, HostPolicy? Policy, int ExitCode)
{
    /// <summary>Loads <paramref name="file"/> for <c>kafka-restored <paramref name="verb"/></c>, printing every problem to <paramref name="error"/>.</summary>
    public static async Task<OneShotResource> LoadAsync(string verb, string kind, string file, string? configFile, TextWriter error)
    {
        if (!File.Exists(file))
        {
            await error.WriteLineAsync($"kafka-restored {verb}: {file}: no such file");
            return new(null, null, Program.UsageError);
        }
        if (!CliSupport.TryLoadPolicy(configFile, verb, error, out var policy)) return new(null, null, CliSupport.ConfigError);
        // One file run by hand: its dependencies are in other files and their state in the daemon's store, so dependsOn is not checked here.
        var loaded = ResourceLoader.LoadPaths([file], ResourceLoadOptions.Default with { CheckDependencies = false });
        foreach (var d in loaded.Diagnostics) await error.WriteLineAsync(d.ToString());
        if (loaded.HasErrors)
        {
            await error.WriteLineAsync($"kafka-restored {verb}: {file} has {loaded.ErrorCount} error(s); fix them (kafka-restored validate {file}) and run again.");
            return new(null, policy, RunFailed);
        }
        var resources = loaded.Resources.Where(r => r.Resource.Kind == kind).ToList();
        if (resources.Count != 1)
        {
            await error.WriteLineAsync(resources.Count == 0
                ? $"kafka-restored {verb}: {file} holds no {kind} (apiVersion {ApiVersions.V1Alpha1}); nothing to run."
                : $"kafka-restored {verb}: {file} holds {resources.Count} {kind} resources ({string.Join(", ", resources.Select(r => r.Resource.Id.ShortName))}); put the one to run in a file of its own.");
            return new(null, policy, RunFailed);
        }
        var resource = resources[0];
        if (resource.Resource.Suspend)
        {
            await error.WriteLineAsync($"kafka-restored {verb}: {resource.Resource.Id.ShortName} has spec.suspend: true, which holds it from starting; " +
                "set spec.suspend: false (or remove it) to run it; nothing was run.");
            return new(null, policy, RunFailed);
        }
        if (resource.Resource.DependsOn.Count > 0)
        {
            await error.WriteLineAsync($"kafka-restored {verb}: note: spec.dependsOn ({string.Join(", ", resource.Resource.DependsOn.Select(d => d.Id))}) " +
                "is honoured by the daemon only; run by hand, it starts now whatever their state.");
        }
        // Nothing is opened, no secret read, before the policy allows every reference.
        var denials = policy is null ? PolicyEvaluator.InternalTopics(null, resource.Resource) : PolicyEvaluator.Evaluate(policy, resource.Resource);
        if (denials.Count > 0)
        {
            foreach (var d in PolicyCheck.Diagnostics(resource, denials)) await error.WriteLineAsync(d.ToString());
            await error.WriteLineAsync($"kafka-restored {verb}: {PolicyDenial.Reason}: the host policy{(configFile is null ? "" : " of " + configFile)} denies {denials.Count} reference(s) of {resource.Resource.Id.ShortName}; nothing was run.");
            return new(null, policy, RunFailed);
        }
        return new(resource.Resource, policy, 0);
    }

    /// <summary>Exit code of a file that does not hold exactly one valid, allowed resource of the kind.</summary>
    private const int RunFailed = 1;
}
