using System.CommandLine;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Backups.Writing;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// <c>kafka-restored backup</c>: a full backup of topics into a folder, S3, Azure Blob Storage or Google Cloud Storage in the kafka-backup
/// layout, and <c>backup describe</c> to show (and with --verify, check) what a backup holds.
/// Exit 0 on success, 1 on a failure the message explains, 2 on a usage error. With --config,
/// the settings' Policy applies as for a resource of every namespace: only its <c>*</c> entry
/// (a backup has no namespace).
/// </summary>
internal static class BackupCommand
{
    /// <summary>Exit code of a failed backup or a failed verification.</summary>
    public const int Failed = 1;

    /// <summary>Builds the command and its describe subcommand.</summary>
    public static Command Create()
    {
        var bootstrap = new Option<string>("--bootstrap-servers") { Description = "Kafka bootstrap servers, host:port[,host:port]", Required = true };
        var topics = new Option<string[]>("--topics") { Description = "Topics to back up (comma-separated or repeated)", Required = true, AllowMultipleArgumentsPerToken = true };
        var backupId = new Option<string>("--backup-id") { Description = "Id of the new backup (refused if it exists)", Required = true };
        var compression = new Option<string>("--compression") { Description = "Segment compression", DefaultValueFactory = _ => "zstd" };
        compression.AcceptOnlyFromAmong("zstd", "lz4", "none");
        var groups = new Option<string[]>("--consumer-groups") { Description = "Consumer groups whose committed offsets are saved (comma-separated or repeated)", AllowMultipleArgumentsPerToken = true };
        var sourceClusterId = new Option<string?>("--source-cluster-id") { Description = "Recorded as source_cluster_id in the manifest" };
        var securityProtocol = new Option<string>("--security-protocol") { Description = "plaintext, ssl, sasl_plaintext or sasl_ssl", DefaultValueFactory = _ => "plaintext" };
        securityProtocol.AcceptOnlyFromAmong("plaintext", "ssl", "sasl_plaintext", "sasl_ssl");
        var saslMechanism = new Option<string>("--sasl-mechanism") { Description = "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", DefaultValueFactory = _ => "PLAIN" };
        saslMechanism.AcceptOnlyFromAmong("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");
        var saslSecret = new Option<string?>("--sasl-secret") { Description = "Secret with keys 'username' and 'password'" };
        var tlsSecret = new Option<string?>("--tls-secret") { Description = "Secret with 'ca.crt', and 'tls.crt' + 'tls.key' for mutual TLS (those present are used)" };
        var segmentBytes = new Option<long>("--segment-max-bytes") { Description = "Rotate segments at this uncompressed size", DefaultValueFactory = _ => 64L * 1024 * 1024 };
        var location = new BackupLocationOptions();
        var config = CliSupport.PolicyConfigOption();

        var command = new Command("backup", "Back up topics (earliest to the high watermark at start) into a folder, S3, Azure Blob Storage or Google Cloud Storage, in the kafka-backup v0.17 layout")
        {
            bootstrap, topics, backupId, compression, groups, sourceClusterId, securityProtocol, saslMechanism, saslSecret, tlsSecret, segmentBytes, config,
        };
        location.AddTo(command);
        backupId.Validators.Add(ValidateBackupId);
        segmentBytes.Validators.Add(ValidateSegmentBytes);
        command.Validators.Add(result => ValidateSecurity(result, securityProtocol, saslSecret, tlsSecret));
        command.SetAction(async (r, ct) =>
        {
            var output = r.InvocationConfiguration.Output;
            var error = r.InvocationConfiguration.Error;
            if (!CliSupport.TryLoadPolicy(r.GetValue(config), "backup", error, out var policy)) return CliSupport.ConfigError;
            var servers = new ValueList<string>(Split(r.GetValue(bootstrap)!));
            var protocol = ParseProtocol(r.GetValue(securityProtocol)!);
            var sasl = r.GetValue(saslSecret) is { } saslName ? new SaslSecretRef(saslName, ParseMechanism(r.GetValue(saslMechanism)!), "username", "password") : null;
            // Checked before any secret file is looked at or any connection opened.
            if (Denied(policy, new KafkaClusterSpec(servers, protocol, r.GetValue(tlsSecret) is { } t ? new TlsSecretRef(t, null, null, null) : null, sasl, null),
                    location.Spec(r), "backup", error))
                return Failed;
            ProgressPrinter? printer = null;
            try
            {
                var secrets = new SecretStore(r.GetValue(location.SecretsDir));
                var cluster = new KafkaClusterSpec(servers, protocol, r.GetValue(tlsSecret) is { } tls ? TlsRef(secrets, tls) : null, sasl, null);
                var storage = BackupStorageFactory.Create(location.Spec(r), secrets);
                var request = new ClusterBackupRequest(cluster, Split(r.GetValue(topics)!), r.GetValue(backupId)!,
                    BackupCompressions.TryParse(r.GetValue(compression))!.Value, Split(r.GetValue(groups) ?? []))
                {
                    SourceClusterId = r.GetValue(sourceClusterId),
                    WriterOptions = new BackupWriterOptions { MaxSegmentBytes = r.GetValue(segmentBytes) },
                };
                printer = new ProgressPrinter(output, interactive: !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out));
                var manifest = await ClusterBackup.RunAsync(request, storage, secrets, printer, ct);
                printer.Finish();
                var stats = BackupStatistics.From(manifest);
                output.WriteLine($"backup '{manifest.BackupId}' complete: {Plural.Of(stats.Records, "record")} in {Plural.Of(stats.Topics.Count, "topic")}, " +
                    $"{Plural.Of(stats.Topics.Sum(t => t.Partitions), "partition")}, {Plural.Of(stats.Topics.Sum(t => t.Segments), "segment")}, " +
                    $"{Size(stats.StoredBytes)} stored at {storage.Describe(manifest.BackupId + "/")}");
                return 0;
            }
            catch (KafkaRestoredException e) when (!ct.IsCancellationRequested)
            {
                error.WriteLine($"kafka-restored backup: {e.Reason}: {e.Message}");
                return Failed;
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or KafkaRestoredException)
            {
                // A Kafka call cut short by the signal fails too: the signal is the reason, not the cluster.
                // The manifest is written last, so an interrupted backup is never mistaken for a complete one.
                printer?.Finish();
                error.WriteLine($"kafka-restored backup: interrupted: backup '{r.GetValue(backupId)}' is incomplete (no manifest.json was written, so no restore can use it); " +
                    "delete its folder (or prefix) before running again with the same --backup-id, or choose another id.");
                return InterruptSignals.ExitCode;
            }
        });
        command.Subcommands.Add(CreateDescribe());
        return command;
    }

    /// <summary>An lz4 segment is compressed as one block, in memory: keep it well inside LZ4's ~2 GB block limit.</summary>
    private static void ValidateSegmentBytes(System.CommandLine.Parsing.OptionResult result)
    {
        var bytes = result.GetValueOrDefault<long>();
        if (bytes is < 1024 or > 1024L * 1024 * 1024)
            result.AddError($"--segment-max-bytes {bytes} must be between 1024 and 1073741824 (1 GiB); the default is 67108864 (64 MiB)");
    }

    /// <summary>--sasl-secret goes with a sasl protocol, --tls-secret with an ssl one.</summary>
    private static void ValidateSecurity(System.CommandLine.Parsing.CommandResult result, Option<string> securityProtocol, Option<string?> saslSecret, Option<string?> tlsSecret)
    {
        // Defaults are not applied yet while validating.
        var protocol = result.GetValue(securityProtocol) ?? "plaintext";
        var sasl = protocol.StartsWith("sasl", StringComparison.Ordinal);
        if (sasl != (result.GetValue(saslSecret) is not null))
            result.AddError("--security-protocol sasl_plaintext or sasl_ssl and --sasl-secret go together: give both or neither");
        if (result.GetValue(tlsSecret) is not null && !protocol.EndsWith("ssl", StringComparison.Ordinal))
            result.AddError("--tls-secret needs --security-protocol ssl or sasl_ssl");
    }

    private static Command CreateDescribe()
    {
        var backupId = new Option<string>("--backup-id") { Description = "Id of the backup", Required = true };
        var verify = new Option<bool>("--verify") { Description = "Read every segment: check format, CRC and counts against the manifest; exit 1 on any problem" };
        var location = new BackupLocationOptions();
        var config = CliSupport.PolicyConfigOption();
        var format = OutputFormatOption.Create();
        backupId.Validators.Add(ValidateBackupId);
        var command = new Command("describe", "Show a backup's topics, partitions, records, bytes, time range and gaps") { backupId, verify, config, format };
        location.AddTo(command);
        command.SetAction(async (r, ct) =>
        {
            var output = r.InvocationConfiguration.Output;
            var error = r.InvocationConfiguration.Error;
            if (!CliSupport.TryLoadPolicy(r.GetValue(config), "backup describe", error, out var policy)) return CliSupport.ConfigError;
            if (Denied(policy, null, location.Spec(r), "backup describe", error)) return Failed;
            try
            {
                var storage = BackupStorageFactory.Create(location.Spec(r), new SecretStore(r.GetValue(location.SecretsDir)));
                var manifest = await BackupManifestStore.ReadAsync(storage, r.GetValue(backupId)!, ct);
                var total = manifest.Topics.Sum(t => t.Partitions.Sum(p => p.Segments.Count));
                if (OutputFormatOption.Get(r, format) == OutputFormat.Json)
                {
                    var found = r.GetValue(verify) ? await BackupStatistics.VerifyAsync(storage, manifest, null, ct) : null;
                    BackupDescriptionJson.Write(output, storage, BackupStatistics.From(manifest), found, total);
                    return found is { Count: > 0 } ? Failed : 0;
                }
                Print(output, storage, BackupStatistics.From(manifest));
                if (!r.GetValue(verify)) return 0;
                var problems = await BackupStatistics.VerifyAsync(storage, manifest, null, ct);
                foreach (var p in problems) output.WriteLine($"PROBLEM {p.Reason}: {p.Message}");
                output.WriteLine(problems.Count == 0
                    ? $"verified: {total} segment(s), CRC, format and counts OK"
                    : $"verification failed: {problems.Count} problem(s) in {total} segment(s)");
                return problems.Count == 0 ? 0 : Failed;
            }
            catch (KafkaRestoredException e)
            {
                error.WriteLine($"kafka-restored backup describe: {e.Reason}: {e.Message}");
                return Failed;
            }
        });
        return command;
    }

    /// <summary>Prints every denial of the policy's <c>*</c> entry (a backup has no namespace) and returns true when there is any.</summary>
    private static bool Denied(HostPolicy? policy, KafkaClusterSpec? cluster, StorageSpec storage, string command, TextWriter error)
    {
        if (policy is null) return false;
        var denials = (cluster is null ? [] : PolicyEvaluator.Cluster(policy, HostPolicy.AnyNamespace, cluster, "cluster"))
            .Concat(PolicyEvaluator.Storage(policy, HostPolicy.AnyNamespace, storage, "storage")).ToList();
        foreach (var d in denials) error.WriteLine($"kafka-restored {command}: {PolicyDenial.Reason}: {d.Message}");
        if (denials.Count > 0) error.WriteLine($"kafka-restored {command}: nothing was run; a backup is checked against Policy:* (it has no namespace).");
        return denials.Count > 0;
    }

    private static void ValidateBackupId(System.CommandLine.Parsing.OptionResult result)
    {
        var id = result.GetValueOrDefault<string>();
        if (string.IsNullOrEmpty(id) || id is "." or ".." || id.IndexOfAny(['/', '\\', '\0']) >= 0)
            result.AddError($"--backup-id '{id}' must be a plain name: no '/', '\\', and not '.' or '..'");
    }

    private static void Print(TextWriter o, IBackupStorage storage, BackupStatistics s)
    {
        var m = s.Manifest;
        o.WriteLine($"backup:      {m.BackupId}");
        o.WriteLine($"location:    {storage.Describe(m.BackupId + "/")}");
        o.WriteLine($"created:     {Time(m.CreatedAt)}");
        o.WriteLine($"source:      cluster {m.SourceClusterId ?? "(unknown)"}, brokers {string.Join(",", m.SourceBrokers)}");
        o.WriteLine($"compression: {m.Compression}");
        o.WriteLine($"records:     {s.Records} in {s.Topics.Count} topic(s), {s.Topics.Sum(t => t.Partitions)} partition(s), {s.Topics.Sum(t => t.Segments)} segment(s)");
        o.WriteLine($"bytes:       {Size(s.StoredBytes)} stored, {Size(s.UncompressedBytes)} uncompressed");
        o.WriteLine($"time range:  {Time(s.FirstTimestamp)} .. {Time(s.LastTimestamp)}");
        o.WriteLine();
        o.WriteLine($"{"TOPIC",-32} {"PARTITIONS",10} {"SEGMENTS",8} {"RECORDS",12} {"STORED",10} {"FIRST RECORD",-24} {"LAST RECORD",-24}");
        foreach (var t in s.Topics)
        {
            var partitions = t.OriginalPartitionCount is { } original && original != t.Partitions ? $"{t.Partitions}/{original}" : t.Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture);
            o.WriteLine($"{t.Name,-32} {partitions,10} {t.Segments,8} {t.Records,12} {Size(t.StoredBytes),10} {Time(t.FirstTimestamp),-24} {Time(t.LastTimestamp),-24}");
        }
        var gaps = s.Topics.SelectMany(t => t.Gaps.Select(g => (t.Name, g))).ToList();
        o.WriteLine();
        o.WriteLine(gaps.Count == 0 ? "gaps:        none" : $"gaps:        {gaps.Count} (offsets the source had deleted: known loss)");
        foreach (var (topic, g) in gaps)
            o.WriteLine($"  {topic}/{g.Partition}: offsets {g.Gap.StartOffset}..{g.Gap.EndOffset - 1} ({Plural.Of(g.Gap.EndOffset - g.Gap.StartOffset, "record")}){(g.Gap.Reason is null ? "" : ": " + g.Gap.Reason)}");
    }

    private static string Time(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'") : "-";

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / 1048576.0:0.0} MiB",
        _ => $"{bytes / 1073741824.0:0.00} GiB",
    };

    private static List<string> Split(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal).ToList();

    private static List<string> Split(string value) => Split([value]);

    private static SecurityProtocol ParseProtocol(string s) => s switch
    {
        "ssl" => SecurityProtocol.Ssl,
        "sasl_plaintext" => SecurityProtocol.SaslPlaintext,
        "sasl_ssl" => SecurityProtocol.SaslSsl,
        _ => SecurityProtocol.Plaintext,
    };

    private static SaslMechanism ParseMechanism(string s) => s switch
    {
        "SCRAM-SHA-256" => SaslMechanism.ScramSha256,
        "SCRAM-SHA-512" => SaslMechanism.ScramSha512,
        _ => SaslMechanism.Plain,
    };

    // Kubernetes TLS secret conventions; only the files present are used.
    private static TlsSecretRef TlsRef(SecretStore secrets, string name)
    {
        string? Key(string key) => File.Exists(secrets.PathOf(name, key)) ? key : null;
        var tls = new TlsSecretRef(name, Key("ca.crt"), Key("tls.crt"), Key("tls.key"));
        if (tls.CaKey is null && tls.CertKey is null)
            throw new KafkaRestoredException(FailureReason.SecretNotFound,
                $"TLS secret '{name}' has neither {secrets.PathOf(name, "ca.crt")} nor {secrets.PathOf(name, "tls.crt")}; add the CA certificate (and tls.crt + tls.key for mutual TLS).");
        return tls;
    }

    /// <summary>A progress bar on a terminal, plain lines every few seconds otherwise.</summary>
    private sealed class ProgressPrinter(TextWriter output, bool interactive) : IProgress<BackupProgress>
    {
        private DateTime _lastLine = DateTime.MinValue;
        private long _lastRecords = -1;
        private bool _drawn;

        public void Report(BackupProgress p)
        {
            var percent = p.TotalRecords == 0 ? 100 : (int)(100 * p.Records / p.TotalRecords);
            if (interactive)
            {
                var filled = percent * 30 / 100;
                output.Write($"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {percent,3}% {p.Records}/{p.TotalRecords} records, {p.PartitionsDone}/{p.Partitions} partitions, {Size(p.Bytes)}   ");
                _drawn = true;
            }
            else if (p.Records != _lastRecords && (DateTime.UtcNow - _lastLine > TimeSpan.FromSeconds(2) || p.PartitionsDone == p.Partitions))
            {
                _lastRecords = p.Records;
                output.WriteLine($"progress: {percent}% {p.Records}/{p.TotalRecords} records, {p.PartitionsDone}/{p.Partitions} partitions, {Size(p.Bytes)}");
                _lastLine = DateTime.UtcNow;
            }
        }

        public void Finish()
        {
            if (_drawn) output.WriteLine();
        }
    }
}
