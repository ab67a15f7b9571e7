using System.Diagnostics;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Benchmarks;

/// <summary>Runs the resume experiment on fresh brokers.</summary>
internal static class ResumeCost
{
    public static ResumeResult Measure(Dataset dataset, BenchStorage storage, string workDir)
    {
        TimeSpan clean;
        using (var broker = MockKafkaBroker.Start(3))
        {
            broker.CreateTopic("resume-clean", dataset.Partitions);
            var sw = Stopwatch.StartNew();
            RestoreContender.Run(broker.BootstrapServers, "resume-clean", dataset, storage, Path.Combine(workDir, "clean"));
            clean = sw.Elapsed;
        }
        using var b = MockKafkaBroker.Start(3);
        b.CreateTopic("resume", dataset.Partitions);
        var killedDir = Path.Combine(workDir, "killed");
        var sw2 = Stopwatch.StartNew();
        RestoreContender.Run(b.BootstrapServers, "resume", dataset, storage, killedDir, killAtFraction: 0.5);
        var untilKill = sw2.Elapsed;
        var landedAfterKill = Watermarks.Total(b.BootstrapServers, "resume", dataset.Partitions);
        sw2.Restart();
        RestoreContender.Run(b.BootstrapServers, "resume", dataset, storage, killedDir);
        var resume = sw2.Elapsed;
        var landed = Watermarks.Total(b.BootstrapServers, "resume", dataset.Partitions);
        if (landed != dataset.Records)
            throw new InvalidOperationException($"resume landed {landed} records, expected exactly {dataset.Records}");
        Console.WriteLine($"resume: clean {clean.TotalSeconds:F2} s; killed at {landedAfterKill:N0} records after {untilKill.TotalSeconds:F2} s; resume took {resume.TotalSeconds:F2} s; {landed:N0} records in the end");
        return new ResumeResult(clean, untilKill, resume, landedAfterKill, landed);
    }
}
