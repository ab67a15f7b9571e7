using System.CommandLine;
using Confluent.Kafka;
using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Daemon.Hosting;
using KafkaRestored.Daemon.Http;
using KafkaRestored.Daemon.Notifications;
using KafkaRestored.Reconciler;
using KafkaRestored.Reconciler.Coordination;
using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// <c>kafka-restored run</c>: the daemon. Validates every setting before anything starts (bad
/// settings exit 2 before READY), then hosts the reconcile loop, the systemd notifications and
/// the HTTP endpoints until SIGTERM.
/// </summary>
internal static class RunCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("run", "Run the daemon: poll the config repository and reconcile until stopped (systemd Type=notify)");
        command.WithSettings().WithDaemonSettings();
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            // Every bad setting is reported at once, reconciler and daemon alike, before anything starts;
            // a file both read (bad JSON) is reported once.
            var problems = new StringWriter();
            var daemon = Checked(() => DaemonSettings.Load(parse), d => d.Validate(), problems);
            var coordination = Checked(() => ReconcilerSettings.Bind<CoordinationOptions>(
                ReconcilerSettings.BuildConfiguration(parse.GetValue(ReconcilerSettings.Config), new Dictionary<string, string?>())), c => c.Validate(), problems);
            var options = CliSupport.Settings(parse, "run", problems);
            foreach (var line in problems.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal))
                error.WriteLine(line);
            if (options is null || daemon is null || coordination is null) return CliSupport.ConfigError;
            if (coordination.LeaseRefProblem(options.Branch, options.PublishBranch) is { } leaseRef)
            {
                error.WriteLine($"kafka-restored run: {leaseRef}");
                return CliSupport.ConfigError;
            }
            CliSupport.WarnWithoutPolicy(options, "run", error);
            string? webhookSecret;
            Notifier? notifier;
            ClientConfig? coordinationClient;
            // The notifier reads its secret files before the host exists, so it logs through a factory of its own, configured alike.
            using var notifyLogging = LoggerFactory.Create(b => ConfigureLogging(b, daemon.LogLevel));
            try
            {
                webhookSecret = daemon.WebhookSecretFile is { } f ? KafkaRestored.Restore.Secrets.SecretStore.ReadFile(f, "WebhookSecretFile") : null;
                coordinationClient = coordination.Enabled ? CoordinationClient.Build(coordination) : null;
                // Secret files (URLs, signing keys) are read now: a missing or unsafe one is a settings error before anything starts.
                notifier = daemon.Notifications.Count > 0 ? Notifier.Start(daemon.Notifications, TimeProvider.System, notifyLogging.CreateLogger("KafkaRestored.Notifications")) : null;
            }
            catch (Exception e) when (e is KafkaRestoredException or SettingsException)
            {
                error.WriteLine($"kafka-restored run: {e.Message}");
                return CliSupport.ConfigError;
            }

            StateStore store;
            try
            {
                store = StateStore.Open(options.StateDirectory);
            }
            catch (StateStoreException e)
            {
                return CliSupport.StoreError("run", e, error);
            }
            using (store)
            {
                var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
                ConfigureLogging(builder.Logging, daemon.LogLevel);
                builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));

                AddServices(builder.Services, options, daemon, store, webhookSecret, notifier);
                if (coordinationClient is not null) AddLeadership(builder.Services, options, coordination, coordinationClient);
                else if (coordination.LeaseEnabled) AddLease(builder.Services, options, coordination);
                // The container owns the loop and the clone: disposing the host stops running work
                // (loop first, it was created last) and closes the repository.
                using var host = builder.Build();
                try
                {
                    // Bound before the host starts: an address in use ends the daemon in one line, before any work.
                    if (host.Services.GetService<HttpEndpointService>() is { } http) await http.BindAsync(ct);
                }
                catch (ListenerBindException e)
                {
                    error.WriteLine($"kafka-restored run: {e.Message}");
                    return CliSupport.ConfigError;
                }
                await host.RunAsync(ct);
                return 0;
            }
        });
        return command;
    }

    /// <summary>The daemon's services. Hosted services start in the order added: the HTTP listener first.</summary>
    private static void AddServices(IServiceCollection services, ReconcilerOptions options, DaemonOptions daemon, StateStore store, string? webhookSecret,
        Notifier? notifier)
    {
        var time = TimeProvider.System;
        services.AddSingleton(time);
        services.AddSingleton(store);
        services.AddSingleton(sp => new GitSource(options, sp.GetRequiredService<ILoggerFactory>().CreateLogger("KafkaRestored.Git")));
        services.AddSingleton(sp =>
        {
            var leadership = sp.GetService<ILeadership>();
            var shared = sp.GetService<SharedRunState>();
            // A missing state topic is logged with the command that creates it; restores then fail SharedStateUnavailable before writing.
            shared?.EnsureTopic();
            var loop = ReconcileLoop.Create(options, store, sp.GetRequiredService<GitSource>(), Runners.All(), time,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("KafkaRestored.Reconciler"), leadership, shared, sp.GetService<UnitDispatcher>());
            if (notifier is not null) loop.PhaseChanged += notifier.Enqueue;
            if (leadership is KafkaLeadership kafka)
            {
                kafka.Changed += loop.Trigger;
                kafka.Paused += loop.AbandonRuns;
                kafka.Start();
                // Every member says it is there (kafka-restored status --members); disposed with the container, it says stopped.
                var heartbeat = sp.GetService<MemberHeartbeat>();
                if (sp.GetService<UnitSlots>() is { } slots)
                {
                    var worker = sp.GetRequiredService<UnitWorker>();
                    slots.Start();
                    worker.Start();
                    heartbeat?.UnitsHeld = () => ([.. slots.Held.Order()], worker.Units.Count);
                }
            }
            else if (leadership is GitLease lease)
            {
                lease.Changed += loop.Trigger;
                lease.Start();
            }
            return loop;
        });
        // The status page reads Git with a handle of its own, opened after the loop's Git source made the clone.
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<GitSource>();
            return new StatusHistory(options);
        });
        var window = daemon.StallWindow ?? (options.PollInterval * 2) + options.FetchTimeout;
        services.AddSingleton(sp => new LoopHeartbeat(time, () => sp.GetRequiredService<ReconcileLoop>().Counters.LastCycleEnd, window));
        // The listener is bound before the host starts (and, as a hosted service, started first), so a busy
        // port stops the daemon before it clones, plans or runs anything.
        if (daemon.HttpEnabled)
        {
            // The endpoints reach the loop lazily: binding the listener must not build the loop, whose Git source clones.
            services.AddSingleton(sp => new HttpEndpointService(daemon.HttpListen, new DaemonEndpoints(
                Health: () => Health(sp.GetRequiredService<ReconcileLoop>(), sp.GetRequiredService<LoopHeartbeat>(), Role(sp.GetService<ILeadership>()), Units(sp)),
                Metrics: () => [.. DaemonMetrics.Collect(sp.GetRequiredService<ReconcileLoop>().Counters, store, sp.GetRequiredService<LoopHeartbeat>()),
                    .. LeadershipMetrics.Collect(Role(sp.GetService<ILeadership>()), Units(sp), Members(sp)),
                    .. DrillMetrics.Collect(store.Resources(includeTombstones: false), time.GetUtcNow())],
                TriggerCycle: () => sp.GetRequiredService<ReconcileLoop>().Trigger(),
                WebhookSecret: () => webhookSecret,
                StatusPage: StatusPageSource.Of(store, sp.GetRequiredService<ReconcileLoop>, sp.GetRequiredService<StatusHistory>, time)), sp.GetRequiredService<ILoggerFactory>()));
            services.AddHostedService(sp => sp.GetRequiredService<HttpEndpointService>());
        }
        // Added before the loop's service, so it stops after it: the loop's last phase changes still get out (within the drain time).
        if (notifier is not null) services.AddHostedService(_ => notifier);
        services.AddHostedService<ReconcileLoopService>();
        services.AddHostedService<SystemdNotifyService>();
    }

    /// <summary>Settings loaded and validated, or null after writing every problem with them to <paramref name="problems"/>.</summary>
    private static T? Checked<T>(Func<T> load, Func<T, IReadOnlyList<string>> validate, StringWriter problems) where T : class
    {
        try
        {
            var settings = load();
            var errors = validate(settings);
            foreach (var p in errors) problems.WriteLine($"kafka-restored run: {p}");
            return errors.Count == 0 ? settings : null;
        }
        catch (SettingsException e)
        {
            foreach (var p in e.Problems) problems.WriteLine($"kafka-restored run: {p}");
            return null;
        }
    }

    /// <summary>Distributed mode: membership of the coordination group, which the loop asks before it acts, and the restore state every member can read.</summary>
    private static void AddLeadership(IServiceCollection services, ReconcilerOptions options, CoordinationOptions coordination, ClientConfig client)
    {
        services.AddSingleton(coordination);
        services.AddSingleton(sp => new KafkaLeadership(client, coordination.CoordinationGroupId, coordination.CoordinationTopic, coordination.EffectiveInstanceId,
            coordination.CoordinationSessionTimeout, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("KafkaRestored.Coordination")));
        services.AddSingleton<ILeadership>(sp => sp.GetRequiredService<KafkaLeadership>());
        services.AddSingleton(sp =>
        {
            var leadership = sp.GetRequiredService<KafkaLeadership>();
            return new SharedRunState(client, coordination.CoordinationStateTopic, coordination.CoordinationSessionTimeout,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("KafkaRestored.Coordination"))
            { MayWrite = () => leadership.MayWrite };
        });
        services.AddSingleton(sp => new MemberHeartbeat(sp.GetRequiredService<SharedRunState>(), sp.GetRequiredService<KafkaLeadership>(),
            coordination.CoordinationSessionTimeout / 3, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("KafkaRestored.Coordination")));
        if (!coordination.UnitsEnabled) return;
        services.AddSingleton(sp => new UnitSlots(client, coordination.CoordinationGroupId, coordination.CoordinationUnitsTopic, coordination.EffectiveInstanceId,
            coordination.CoordinationSessionTimeout, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("KafkaRestored.Units"))
        { PartitionsWhenCreated = coordination.CoordinationUnitsPartitions });
        services.AddSingleton(sp => new UnitWorker(sp.GetRequiredService<UnitSlots>(), sp.GetRequiredService<SharedRunState>(), sp.GetRequiredService<StateStore>(),
            new KafkaRestored.Restore.Secrets.SecretStore(options.SecretsDirectory), options.HostPolicy, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("KafkaRestored.Units")));
        services.AddSingleton(sp => new UnitDispatcher(sp.GetRequiredService<UnitSlots>(), sp.GetRequiredService<SharedRunState>(), sp.GetRequiredService<StateStore>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("KafkaRestored.Units"))
        { MinRecords = coordination.CoordinationSpreadMinRecords });
    }

    /// <summary>Single-instance mode: the Git lease, so that a second daemon on the same repository stays passive (docs/distributed.md).</summary>
    private static void AddLease(IServiceCollection services, ReconcilerOptions options, CoordinationOptions coordination) =>
        services.AddSingleton<ILeadership>(sp => new GitLease(options, coordination.LeaseRef, coordination.LeaseDuration, coordination.EffectiveInstanceId,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("KafkaRestored.Lease")));

    /// <summary>This daemon's role for /healthz and /metrics: the coordination group's or the lease's; null without either.</summary>
    private static LeadershipState? Role(ILeadership? leadership) => leadership switch
    {
        KafkaLeadership kafka => kafka.State,
        GitLease lease => lease.State,
        _ => null,
    };

    /// <summary>Console logging: systemd priority prefixes under journald, single coloured lines otherwise.</summary>
    private static void ConfigureLogging(ILoggingBuilder logging, LogLevel level)
    {
        logging.ClearProviders();
        // Under systemd (journald), log lines carry <N> priority prefixes instead of colours.
        if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null || Environment.GetEnvironmentVariable("INVOCATION_ID") is not null)
            logging.AddSystemdConsole(o => o.IncludeScopes = true);
        else
            logging.AddSimpleConsole(o => { o.SingleLine = true; o.IncludeScopes = true; o.TimestampFormat = "HH:mm:ss "; });
        logging.SetMinimumLevel(level);
        // The web server's and host's own chatter only when asked for Debug or Trace.
        logging.AddFilter("Microsoft", level <= LogLevel.Debug ? level : LogLevel.Warning);
    }

    /// <summary>The deployment's members as this daemon last read them (distributed mode), else null.</summary>
    private static MembersSeen? Members(IServiceProvider sp) =>
        sp.GetService<SharedRunState>() is { } shared && sp.GetService<CoordinationOptions>() is { } coordination
            ? new MembersSeen(shared.Members(), sp.GetRequiredService<TimeProvider>().GetUtcNow(), coordination.CoordinationSessionTimeout)
            : null;

    /// <summary>The slots and units this member holds (distributed mode with a units topic), else null.</summary>
    private static UnitsHeld? Units(IServiceProvider sp) =>
        sp.GetService<UnitSlots>() is { } slots && sp.GetService<UnitWorker>() is { } worker ? new UnitsHeld(slots.Held.Order().ToList(), worker.Units) : null;

    private static HealthReport Health(ReconcileLoop loop, LoopHeartbeat heartbeat, LeadershipState? leadership, UnitsHeld? units)
    {
        var c = loop.Counters;
        var details = new Dictionary<string, object?>
        {
            ["loopAlive"] = heartbeat.IsAlive,
            ["lastCycleEnd"] = c.LastCycleEnd,
            ["lastSuccessfulSync"] = c.LastSuccessfulSync,
            ["lastError"] = c.LastError,
            ["gitFetchErrors"] = c.FetchErrors,
            ["pushFailures"] = c.PushFailures,
            ["lastPushError"] = c.LastPushError,
            ["runsInFlight"] = c.Running,
            ["gitForcePushes"] = c.ForcePushes,
            ["lastForcePush"] = c.LastForcePush,
        };
        if (leadership is not null)
        {
            details["role"] = leadership.Role;
            details["instanceId"] = leadership.InstanceId;
            details["roleSince"] = leadership.Since;
            details["roleReason"] = leadership.Reason;
            details["leadershipChanges"] = leadership.Changes;
        }
        if (units is not null)
        {
            details["slots"] = units.Slots;
            details["units"] = units.Units;
        }
        return new HealthReport(heartbeat.IsAlive, details);
    }
}
