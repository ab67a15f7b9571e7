using System.Reflection;

namespace KafkaRestored.TestSupport;

/// <summary>Locates the source tree and the build outputs of sibling projects.</summary>
public static class RepoPaths
{
    /// <summary>The folder holding Daemon.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The node_modules folder of the pinned test services (package.json): the repository's, or KAFKA_RESTORED_TEST_NODE_MODULES
    /// (a worktree whose node_modules is shared may install it beside instead).
    /// </summary>
    public static string NodeModules =>
        Environment.GetEnvironmentVariable("KAFKA_RESTORED_TEST_NODE_MODULES") is { Length: > 0 } dir ? dir : Path.Combine(Root, "node_modules");

    /// <summary>Build configuration of the running tests (Debug or Release).</summary>
    public static string Configuration { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>Path of a project's main assembly in its build output, e.g. ("tests/MockBroker", "mock-broker").</summary>
    public static string ProjectOutput(string projectDir, string assemblyName)
    {
        var path = Path.Combine(Root, projectDir, "bin", Configuration, "net10.0", assemblyName + ".dll");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing: build the solution first (dotnet build Daemon.sln).", path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Daemon.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Daemon.sln not found above " + AppContext.BaseDirectory);
    }
}
