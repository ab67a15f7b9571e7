using System.Runtime.InteropServices;

namespace KafkaRestored.Restore.Kafka;

/// <summary>
/// Loads the librdkafka kafka-restored ships (librdkafka.redist, beside the binary), by absolute
/// path, before any Kafka client exists; every entry point calls <see cref="Load"/> first.
/// </summary>
/// <remarks>
/// Left alone, Confluent.Kafka asks for "librdkafka" by name: where the bundled build cannot load
/// (the plain one needs libsasl2.so.3, which Debian 12 lacks) that finds whatever the host has,
/// e.g. Debian's librdkafka-dev 2.0.2. Here each bundled build is tried in order and the first that
/// loads is the only one Confluent.Kafka binds to (a DllImport resolver answers every name it asks
/// for with that file), then /proc/self/maps must show that file and no other librdkafka.
/// </remarks>
public static class BundledLibrdkafka
{
    /// <summary>The librdkafka version this build of kafka-restored was tested with (the librdkafka.redist it ships); older ones are refused.</summary>
    public static readonly Version TestedVersion = new(2, 16, 0);

    /// <summary>The bundled builds, in the order tried: with SASL/GSSAPI (needs libsasl2.so.3), without (glibc only), musl.</summary>
    public static readonly IReadOnlyList<string> BuildNames = ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so"];

    private static readonly Lock Gate = new();
    private static LoadedLibrdkafka? s_loaded;

    /// <summary>The library loaded by <see cref="Load"/>, or null before.</summary>
    public static LoadedLibrdkafka? Loaded => s_loaded;

    /// <summary>
    /// Loads the first bundled build that loads on this host and makes Confluent.Kafka use it; the
    /// same answer on every later call.
    /// </summary>
    /// <exception cref="LibrdkafkaLoadException">No bundled build loads, the one that loads is older than <see cref="TestedVersion"/>, or another librdkafka is already in the process.</exception>
    public static LoadedLibrdkafka Load()
    {
        lock (Gate)
        {
            if (s_loaded is not null) return s_loaded;
            var (path, handle, version) = Probe(Candidates(AppContext.BaseDirectory));
            s_loaded = new LoadedLibrdkafka(Bind(path, handle), version);
            return s_loaded;
        }
    }

    /// <summary>Where the bundled builds are: runtimes/&lt;rid&gt;/native of a portable build, or beside the binary of a RID-specific one.</summary>
    internal static IEnumerable<string> Candidates(string baseDirectory)
    {
        var rid = "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        foreach (var folder in new[] { Path.Combine(baseDirectory, "runtimes", rid, "native"), baseDirectory })
        {
            foreach (var name in BuildNames) yield return Path.Combine(folder, name);
        }
    }

    /// <summary>
    /// Opens the first of <paramref name="candidates"/> that exists and loads, and reads its version;
    /// refuses it when older than <see cref="TestedVersion"/>. Binds nothing to Confluent.Kafka.
    /// </summary>
    internal static (string Path, IntPtr Handle, string Version) Probe(IEnumerable<string> candidates)
    {
        var tried = new List<string>();
        foreach (var candidate in candidates)
        {
            if (!File.Exists(candidate)) continue;
            var path = Path.GetFullPath(new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate);
            IntPtr handle;
            try
            {
                handle = NativeLibrary.Load(path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                tried.Add($"{candidate}: {LoadError(e, path)}");
                continue;
            }
            var (number, text) = VersionOf(handle);
            if (number < Encode(TestedVersion))
            {
                NativeLibrary.Free(handle);
                throw new LibrdkafkaLoadException(LibrdkafkaLoadException.TooOld,
                    $"{candidate}{(path == candidate ? "" : " (" + path + ")")} is librdkafka {text}, older than {TestedVersion}, the version this kafka-restored was tested with; " +
                    "reinstall kafka-restored from its release (its librdkafka files were replaced) or use a build made with a newer librdkafka.redist.");
            }
            return (path, handle, text);
        }
        var searched = string.Join(", ", candidates.Select(Path.GetDirectoryName).Distinct());
        throw new LibrdkafkaLoadException(LibrdkafkaLoadException.NotLoadable, tried.Count == 0
            ? $"no bundled librdkafka ({string.Join(", ", BuildNames)}) in {searched}; reinstall kafka-restored (dotnet publish copies them from the librdkafka.redist package)."
            : $"none of the bundled librdkafka builds loads on this host: {string.Join("; ", tried)}; install what the first one lacks (e.g. libsasl2.so.3) or run kafka-restored on a glibc or musl Linux it supports.");
    }

    /// <summary>The version number (0xMMmmrrxx) and text a loaded librdkafka reports.</summary>
    internal static (int Number, string Text) VersionOf(IntPtr handle)
    {
        var number = Marshal.GetDelegateForFunctionPointer<VersionFn>(NativeLibrary.GetExport(handle, "rd_kafka_version"))();
        var text = Marshal.PtrToStringUTF8(Marshal.GetDelegateForFunctionPointer<VersionStrFn>(NativeLibrary.GetExport(handle, "rd_kafka_version_str"))()) ?? "?";
        return (number, text);
    }

    /// <summary>The distinct files in /proc/self/maps whose name holds "librdkafka": what the process really has loaded.</summary>
    public static IReadOnlyList<string> MappedFiles()
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0 && Path.GetFileName(line[slash..]).Contains("librdkafka", StringComparison.Ordinal)) files.Add(line[slash..]);
        }
        return [.. files];
    }

    /// <summary>Makes Confluent.Kafka use <paramref name="handle"/>; returns the file as /proc/self/maps names it (every link resolved).</summary>
    private static string Bind(string path, IntPtr handle)
    {
        try
        {
            // Confluent.Kafka asks for librdkafka, centos8-librdkafka or alpine-librdkafka by name; every one is this file.
            NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly,
                (name, _, _) => name.Contains("librdkafka", StringComparison.Ordinal) ? handle : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // Someone set a resolver before us: whatever it chose is checked against the maps below.
        }
        // Not Library.Load(path): it dlopens through "libdl", a name glibc 2.34 and later hosts only have as libdl.so.2.
        Confluent.Kafka.Library.Load();
        var mapped = MappedFiles();
        if (mapped.Count != 1 || Confluent.Kafka.Library.Version != VersionOf(handle).Number)
        {
            throw new LibrdkafkaLoadException(LibrdkafkaLoadException.Foreign,
                $"Confluent.Kafka uses librdkafka {Confluent.Kafka.Library.VersionString} and the process has {string.Join(", ", mapped)} loaded, not only the bundled {path}; " +
                "something loaded librdkafka before kafka-restored could (LD_PRELOAD?); start it without that.");
        }
        return mapped[0];
    }

    private static int Encode(Version v) => (v.Major << 24) | (v.Minor << 16) | (v.Build << 8) | 0xff;

    /// <summary>dlerror's text from the runtime's message (what an operator needs: the missing dependency), on one line.</summary>
    private static string LoadError(Exception e, string path)
    {
        const string preamble = "LD_DEBUG environment variable:";
        var message = e.Message.ReplaceLineEndings(" ");
        var start = message.IndexOf(preamble, StringComparison.Ordinal);
        var dlerror = (start < 0 ? message : message[(start + preamble.Length)..]).Trim();
        return dlerror.StartsWith(path + ":", StringComparison.Ordinal) ? dlerror[(path.Length + 1)..].Trim() : dlerror;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int VersionFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate IntPtr VersionStrFn();
}
