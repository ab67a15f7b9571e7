using System.Globalization;

namespace KafkaRestored.TestSupport;

/// <summary>Memory readings of a live child process from /proc, for tests and benchmarks that bound peak RSS.</summary>
public static class ProcessMemory
{
    /// <summary>VmHWM (peak RSS) of a process in bytes, from /proc; 0 when it cannot be read (e.g. it has exited).</summary>
    public static long HighWaterMark(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }
}
