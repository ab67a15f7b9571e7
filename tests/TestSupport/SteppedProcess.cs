using System.Diagnostics;
using System.Runtime.InteropServices;

namespace KafkaRestored.TestSupport;

/// <summary>
/// Runs a process in steps (SIGCONT, a while, SIGSTOP) until something it drives reaches a threshold, counted
/// only while it is stopped. Tests that kill a restore at a share of its records use it: a count of records
/// landed asks the mock broker, which is busy with the restore's own requests, so a count can take seconds,
/// and on a fast machine a whole restore once ran from below a kill's threshold to its end between two counts.
/// </summary>
public static class SteppedProcess
{
    private const int SigCont = 18;
    private const int SigStop = 19;

    /// <summary>
    /// Lets process <paramref name="pid"/> run until <paramref name="count"/> reaches <paramref name="threshold"/> and
    /// leaves it stopped there (true). Each step lasts about half the time the fastest rate seen so far needs to reach
    /// the threshold. False, with the process running, when it exited, <paramref name="finished"/> (asked at most every
    /// 250 ms) says the work is over, or <paramref name="timeout"/> passed.
    /// </summary>
    public static bool RunUntil(int pid, Func<bool> hasExited, long threshold, Func<long> count, Func<bool> finished, TimeSpan timeout)
    {
        var guard = Stopwatch.StartNew();
        var running = Stopwatch.StartNew();
        var lastFinishedLook = 0L;
        long before = -1;
        var rate = 0.0;
        while (!hasExited() && guard.Elapsed < timeout)
        {
            Stop(pid);
            var ranMs = running.Elapsed.TotalMilliseconds;
            var now = count();
            if (now >= threshold) return true;
            if (before >= 0 && ranMs > 0) rate = Math.Max(rate, (now - before) / ranMs);
            before = now;
            if (guard.ElapsedMilliseconds - lastFinishedLook > 250)
            {
                lastFinishedLook = guard.ElapsedMilliseconds;
                if (finished())
                {
                    Continue(pid);
                    return false;
                }
            }
            // At most 200 ms: a step can last longer than asked when the test process is starved of CPU.
            var stepMs = rate > 0 ? Math.Clamp((threshold - now) / rate / 2, 2, 200) : 10;
            Continue(pid);
            running.Restart();
            Thread.Sleep(TimeSpan.FromMilliseconds(stepMs));
        }
        Continue(pid);
        return false;
    }

    /// <summary>SIGSTOP; a process that is gone is no error (callers look at whether it exited).</summary>
    public static void Stop(int pid) => _ = kill(pid, SigStop);

    /// <summary>SIGCONT; a process that is gone is no error.</summary>
    public static void Continue(int pid) => _ = kill(pid, SigCont);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
