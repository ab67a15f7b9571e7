using System.Diagnostics;

namespace KafkaRestored.TestSupport;

/// <summary>Output of a finished child process.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Throws with both streams when the exit code is not zero.</summary>
    public ProcessResult EnsureSuccess(string what)
    {
        if (ExitCode != 0)
            throw new InvalidOperationException($"{what} exited {ExitCode}\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
        return this;
    }
}

/// <summary>Runs command-line tools (git, kcat, the daemon) and captures their output.</summary>
public static class ProcessRunner
{
    /// <summary>
    /// Drops the KAFKA_RESTORED_ variables a child would inherit from the test run (the suite's own switches,
    /// such as KAFKA_RESTORED_FULL_RELIABILITY): the daemon refuses a variable of its prefix that names no
    /// setting, and a test sets the ones it means explicitly.
    /// </summary>
    public static ProcessStartInfo WithoutInheritedSettings(this ProcessStartInfo psi)
    {
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("KAFKA_RESTORED_", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(name);
        return psi;
    }

    /// <summary>Debian's python3, where apt puts the modules the test scripts use (a pyenv or venv python3 may come first on PATH).</summary>
    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>
    /// The program and arguments that run <paramref name="fileName"/> on a pseudo-terminal, as a person at a shell would:
    /// its stdout is what they would see, progress bars and carriage returns included, read to the last byte
    /// (tests/TestSupport/python/on_terminal.py; script(1) lost a program's last writes on a busy machine).
    /// </summary>
    public static (string Program, string[] Args) OnTerminal(string fileName, IEnumerable<string> args) =>
        (Python, [Path.Combine(RepoPaths.Root, "tests", "TestSupport", "python", "on_terminal.py"), fileName, .. args]);

    /// <summary>Runs a program on a pseudo-terminal (<see cref="OnTerminal"/>) to completion.</summary>
    public static ProcessResult RunOnTerminal(string fileName, IEnumerable<string> args, TimeSpan timeout)
    {
        var (program, arguments) = OnTerminal(fileName, args);
        return Run(program, arguments, timeout: timeout);
    }

    /// <summary>Runs a program to completion, with a timeout that kills it.</summary>
    public static ProcessResult Run(string fileName, IEnumerable<string> args, string? workingDirectory = null,
        IDictionary<string, string?>? environment = null, string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.WithoutInheritedSettings();
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                if (v is null) psi.Environment.Remove(k);
                else psi.Environment[k] = v;
            }
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + fileName);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in time");
        }
        p.WaitForExit();
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}
