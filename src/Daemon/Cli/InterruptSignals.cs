using System.Runtime.InteropServices;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM for the one-shot commands: the first cancels <see cref="Token"/> and
/// keeps the process alive so the command can stop cleanly (a restore flushes, checkpoints and prints
/// how to resume); a second one gets the default action and ends the process at once.
/// </summary>
internal sealed class InterruptSignals : IDisposable
{
    /// <summary>Exit code of a command stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report Ctrl+C), whichever came.</summary>
    public const int ExitCode = 130;

    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _received;

    /// <summary>Registers for SIGINT and SIGTERM.</summary>
    public InterruptSignals()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>The first signal received, or null.</summary>
    public PosixSignal? Received { get; private set; }

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _received) > 1)
        {
            // A second signal: the default action (death by that signal), whatever the command is doing.
            context.Cancel = false;
            return;
        }
        context.Cancel = true;
        Received = context.Signal;
        // Off the signal thread: cancellation callbacks (flush, checkpoint, printing) must not delay a second signal.
        _ = Task.Run(() =>
        {
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The command ended just as the signal came.
            }
        });
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
