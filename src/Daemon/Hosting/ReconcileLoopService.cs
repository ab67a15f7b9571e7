using KafkaRestored.Reconciler.Execution;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Daemon.Hosting;

/// <summary>Runs the reconcile loop for the life of the host; shutdown cancels running work through the same token.</summary>
public sealed class ReconcileLoopService(ReconcileLoop loop, ILogger<ReconcileLoopService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("reconcile loop started");
        await loop.RunAsync(stoppingToken);
        logger.LogInformation("reconcile loop stopped");
    }
}
