using System.Runtime.CompilerServices;
using KafkaRestored.Restore.Workflows;

#pragma warning disable CA1050 // The runtime looks for a type named StartupHook in the global namespace.

/// <summary>
/// A fault a test injects into a real kafka-restored process with DOTNET_STARTUP_HOOKS set to this
/// assembly: once a resource is being worked on, <c>KR_TEST_FAULT=unhandled</c> throws on a thread
/// where nothing catches, <c>KR_TEST_FAULT=unobserved</c> drops a faulted task and collects it.
/// </summary>
internal static class StartupHook
{
    /// <summary>Called by the runtime before Main.</summary>
    public static void Initialize()
    {
        var fault = Environment.GetEnvironmentVariable("KR_TEST_FAULT");
        if (fault is not ("unhandled" or "unobserved")) return;
        new Thread(() =>
        {
            while (ResourcesAtWork.Current.Count == 0) Thread.Sleep(2);
            if (fault == "unhandled") throw new InvalidOperationException("unhandled fault injected by the test");
            for (var i = 0; i < 20 && ResourcesAtWork.Current.Count > 0; i++)
            {
                DropFaultedTask();
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        })
        { IsBackground = true, Name = "test fault" }.Start();
    }

    // Not inlined: the task must be unreachable when the collector runs, so its finalizer reports it unobserved.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DropFaultedTask() => _ = Task.FromException(new InvalidOperationException("unobserved fault injected by the test"));
}
