using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KafkaRestored.TestSupport.GitServers;

/// <summary>A server (lighttpd, sshd) run in the foreground as a child of the test, its output kept, killed on dispose.</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    /// <summary>Starts <paramref name="program"/> and waits until 127.0.0.1:<paramref name="port"/> accepts connections.</summary>
    public ServerProcess(string program, IEnumerable<string> args, int port)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try
        {
            LoopbackPort.WaitUntilListening(_process, port, program, TimeSpan.FromSeconds(30), () => Output);
        }
        catch (InvalidOperationException)
        {
            Dispose();
            throw;
        }
    }

    /// <summary>What the server wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Whether a process below the server has a command line containing <paramref name="text"/> (read from /proc).</summary>
    public bool HasDescendantRunning(string text)
    {
        var pending = new Queue<int>([_process.Id]);
        while (pending.TryDequeue(out var pid))
        {
            foreach (var child in ReadOrEmpty($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(child, out var id)) continue;
                if (ReadOrEmpty($"/proc/{id}/cmdline").Replace('\0', ' ').Contains(text, StringComparison.Ordinal)) return true;
                pending.Enqueue(id);
            }
        }
        return false;
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>A free TCP port on loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The program's full path when it is installed (PATH, then /usr/sbin where Debian puts daemons), else null.</summary>
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/usr/lib/git-core")
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
