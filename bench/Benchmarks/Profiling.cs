using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KafkaRestored.Benchmarks;

/// <summary>
/// Where a restore's time goes: CPU seconds per thread (librdkafka's own threads against the .NET
/// ones, from /proc) and, when the dotnet-trace tool is installed, the managed methods most often
/// on the sampled stacks.
/// </summary>
internal static partial class Profiling
{
    /// <summary>dotnet-trace on PATH or in ~/.dotnet/tools, else null.</summary>
    public static string? TraceTool
    {
        get
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append(Path.Combine(home, ".dotnet", "tools")))
            {
                var candidate = Path.Combine(dir, "dotnet-trace");
                if (dir.Length > 0 && File.Exists(candidate)) return candidate;
            }
            return null;
        }
    }

    /// <summary>Starts dotnet-trace (thread-time sampling) on a running .NET process once its diagnostics port exists.</summary>
    public static Process? Attach(int pid, string traceFile)
    {
        if (TraceTool is not { } tool) return null;
        var deadline = Stopwatch.StartNew();
        while (!Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*-socket").Any())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10)) return null;
            Thread.Sleep(20);
        }
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--profile", "dotnet-sampled-thread-time", "-o", traceFile })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi);
        if (process is not null)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
        }
        return process;
    }

    /// <summary>Latest CPU seconds (user + system) of every thread of <paramref name="pid"/>, by thread id, with its name (digits dropped).</summary>
    public static void SampleThreads(int pid, Dictionary<int, (string Name, double Seconds)> threads)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            return;
        }
        foreach (var task in tasks)
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                // Fields after the "(comm)" part: state is field 3, utime 14, stime 15.
                var close = stat.LastIndexOf(')');
                var name = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                var tid = int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
                threads[tid] = (Digits().Replace(name, "#"), ticks / 100.0);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // The thread ended between listing and reading.
            }
        }
    }

    /// <summary>CPU seconds (user + system) of a process, with its reaped children's when <paramref name="children"/>; 0 once it is gone.</summary>
    public static double ProcessCpuSeconds(int pid, bool children)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = 0L;
            for (var i = 11; i <= (children ? 14 : 12); i++) ticks += long.Parse(fields[i], CultureInfo.InvariantCulture);
            return ticks / 100.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>dotnet-trace's top-N report of <paramref name="traceFile"/> (exclusive or inclusive), as "share, method" lines.</summary>
    public static IReadOnlyList<string> TopMethods(string traceFile, int count, bool inclusive)
    {
        if (TraceTool is not { } tool || !File.Exists(traceFile)) return [];
        var args = new List<string> { "report", traceFile, "topN", "-n", count.ToString(CultureInfo.InvariantCulture) };
        if (inclusive) args.Add("--inclusive");
        var result = KafkaRestored.TestSupport.ProcessRunner.Run(tool, args, timeout: TimeSpan.FromMinutes(5));
        return [.. result.StdOut.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0)];
    }

    /// <summary>
    /// Starts <c>perf record</c> (call graphs, 999 Hz) on <paramref name="pid"/> when perf is installed, else null.
    /// Managed frames get names when the process runs with DOTNET_PerfMapEnabled=1.
    /// </summary>
    public static Process? StartPerf(int pid, string dataFile)
    {
        if (!File.Exists("/usr/bin/perf")) return null;
        var psi = new ProcessStartInfo("/usr/bin/perf")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "record", "-F", "999", "-g", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", dataFile })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi);
        if (process is null) return null;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        // perf attaches to the process's threads before it counts; later threads (librdkafka's) are inherited.
        Thread.Sleep(500);
        return process;
    }

    /// <summary>Stops <c>perf record</c> with SIGINT, which makes it write its data file, and waits for it.</summary>
    public static void StopPerf(Process perf)
    {
        KafkaRestored.TestSupport.ProcessRunner.Run("kill", ["-INT", perf.Id.ToString(CultureInfo.InvariantCulture)]);
        perf.WaitForExit(60_000);
    }

    /// <summary><c>perf report</c> of <paramref name="dataFile"/>, self time sorted by <paramref name="sort"/>, the lines of at least 0.5%.</summary>
    public static IReadOnlyList<string> PerfReport(string dataFile, string sort, int count)
    {
        if (!File.Exists(dataFile)) return [];
        var result = KafkaRestored.TestSupport.ProcessRunner.Run("/usr/bin/perf",
            ["report", "-i", dataFile, "--no-children", "-g", "none", "--percent-limit", "0.5", "--sort", sort, "--stdio"], timeout: TimeSpan.FromMinutes(5));
        return [.. result.StdOut.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0 && !l.StartsWith('#')).Take(count)];
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();
}
