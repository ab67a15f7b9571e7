using System.Globalization;
using System.Net;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>
/// The TCP sockets a process listens on, read from /proc as `ss -ltnp` would: the socket inodes
/// among its open file descriptors, matched with the LISTEN rows of /proc/PID/net/tcp and tcp6.
/// </summary>
internal static class ListeningSockets
{
    /// <summary>Local endpoints of the TCP sockets process <paramref name="pid"/> listens on.</summary>
    public static IReadOnlyList<IPEndPoint> Of(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed while listing
            }
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal)) inodes.Add(target[8..^1]);
        }
        var endpoints = new List<IPEndPoint>();
        foreach (var table in new[] { "tcp", "tcp6" })
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/net/{table}").Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10 || f[3] != "0A" || !inodes.Contains(f[9])) continue;
                var (address, port) = (f[1].Split(':')[0], f[1].Split(':')[1]);
                endpoints.Add(new IPEndPoint(ParseAddress(address), int.Parse(port, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }
        return endpoints;
    }

    /// <summary>/proc/net writes addresses as 32-bit words in host (little-endian) order.</summary>
    private static IPAddress ParseAddress(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < bytes.Length / 4; word++)
        {
            for (var i = 0; i < 4; i++)
                bytes[(word * 4) + i] = byte.Parse(hex.AsSpan((word * 8) + ((3 - i) * 2), 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
        return new IPAddress(bytes);
    }
}
