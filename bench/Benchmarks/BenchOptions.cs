using System.Globalization;
using KafkaRestored.Restore.Backups.Kbak;

namespace KafkaRestored.Benchmarks;

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record BenchOptions(long Records, int Partitions, string? OutFile, IReadOnlyList<BackupCompression> Compressions,
    IReadOnlySet<string> Sections, int ReconcileFiles, int Pairs)
{
    /// <summary>Every section, in the order they run.</summary>
    public static readonly string[] AllSections = ["throughput", "pairs", "direct", "memory", "resume", "profile", "reconcile", "offsetmaps", "read1g", "distributed"];

    /// <summary>True when <paramref name="section"/> was asked for.</summary>
    public bool Has(string section) => Sections.Contains(section);

    public static BenchOptions Parse(string[] args)
    {
        long records = 2_000_000;
        var partitions = 160;
        string? outFile = null;
        IReadOnlyList<BackupCompression> compressions = [BackupCompression.None, BackupCompression.Lz4, BackupCompression.Zstd];
        IReadOnlySet<string> sections = AllSections.ToHashSet();
        var reconcileFiles = 10_000;
        var pairs = 3;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--records": records = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--partitions": partitions = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--out": outFile = args[++i]; break;
                case "--compressions":
                    compressions = [.. args[++i].Split(',').Select(c => Enum.Parse<BackupCompression>(c, ignoreCase: true))];
                    break;
                case "--sections":
                    sections = args[++i].Split(',').ToHashSet();
                    if (sections.Except(AllSections).FirstOrDefault() is { } unknown)
                        throw new ArgumentException($"unknown section {unknown}; sections: {string.Join(',', AllSections)}");
                    break;
                case "--reconcile-files": reconcileFiles = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--pairs": pairs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException("unknown option " + args[i]);
            }
        }
        return new BenchOptions(records, partitions, outFile, compressions, sections, reconcileFiles, pairs);
    }
}
