using System.Diagnostics;
using System.Globalization;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Reliability;

/// <summary>
/// SIGKILLs the crash test's daemon at a chosen instant: in its first seconds, once records landed,
/// while its push runs, or right after the remote's ref moved.
/// </summary>
/// <param name="remote">The config remote the daemon pushes status to.</param>
/// <param name="pushRunning">
/// Whether a push of the daemon is under way: its <c>git push</c> child to a local remote, or the server's receive-pack
/// for a push over the network (null: the daemon's git children).
/// </param>
internal sealed class DaemonKiller(CrashRemote remote, Func<DaemonProcess, bool>? pushRunning = null)
{
    private readonly Func<DaemonProcess, bool> _pushRunning = pushRunning ?? (daemon => GitChildren(daemon.Id).Count > 0);

    /// <summary>How a kill instant is chosen once the records landed passed the kill's threshold.</summary>
    public enum KillTrigger
    {
        /// <summary>At once.</summary>
        Landed,

        /// <summary>While the daemon's push runs (its <c>git push</c> child, or the server's receive-pack).</summary>
        DuringPush,

        /// <summary>Right after the remote's branch moved (the daemon has not yet recorded its push).</summary>
        AfterRefMoved,

        /// <summary>A random instant in the first two seconds after start (host start, clone, state store, preflight), whatever landed.</summary>
        Startup,
    }

    /// <summary>What a kill hit.</summary>
    public sealed record Kill(bool DuringPush, bool AfterRefMoved);

    /// <summary>SIGKILLs the daemon <paramref name="after"/> its start. Null when it exited first.</summary>
    public static Kill? KillAtStartup(DaemonProcess daemon, TimeSpan after)
    {
        Thread.Sleep(after);
        if (daemon.HasExited) return null;
        var orphans = GitChildren(daemon.Id);
        daemon.Kill();
        foreach (var pid in orphans) WaitGone(pid);
        return new Kill(orphans.Count > 0, false);
    }

    /// <summary>
    /// Waits until <paramref name="threshold"/> records landed, then for the trigger, then SIGKILLs the
    /// daemon (not its children: the remote is another machine's business). A push trigger that has
    /// not come by the time <paramref name="overshoot"/> more records landed gives way to a plain kill,
    /// so that the kills stay spread over the restore. Null when the daemon exited or the restore completed first.
    /// </summary>
    public Kill? KillWhen(DaemonProcess daemon, long threshold, long overshoot, KillTrigger trigger, Func<long> landed)
    {
        var guard = Stopwatch.StartNew();
        if (threshold > 0 && !SteppedProcess.RunUntil(daemon.Id, () => daemon.HasExited, threshold, landed, () => remote.RemotePhase() == "Completed", TimeSpan.FromMinutes(3)))
            return null;
        // The daemon is stopped (SIGSTOP) here when a threshold was waited for: kill it as it is, or let it go on to the trigger.
        if (trigger != KillTrigger.Landed) SteppedProcess.Continue(daemon.Id);
        var duringPush = false;
        var afterRefMoved = false;
        var refBefore = remote.RemoteRef();
        var lastLook = guard.ElapsedMilliseconds;
        while (true)
        {
            if (daemon.HasExited || guard.Elapsed > TimeSpan.FromMinutes(3)) return null;
            if (trigger == KillTrigger.Landed) break;
            if (trigger == KillTrigger.DuringPush && _pushRunning(daemon))
            {
                duringPush = true;
                break;
            }
            if (trigger == KillTrigger.AfterRefMoved && remote.RemoteRef() != refBefore)
            {
                afterRefMoved = true;
                break;
            }
            // Pushes are short: look often, and only now and then ask Git whether it is all over.
            if (guard.ElapsedMilliseconds - lastLook > 250)
            {
                if (remote.RemotePhase() == "Completed") return null;
                if (landed() >= threshold + overshoot) break;
                lastLook = guard.ElapsedMilliseconds;
            }
            Thread.Sleep(1);
        }
        var orphans = GitChildren(daemon.Id);
        daemon.Kill();
        // A push the daemon started goes on without it, as on a real remote; let it end before the next start.
        foreach (var pid in orphans) WaitGone(pid);
        return new Kill(duringPush, afterRefMoved);
    }

    /// <summary>Child processes of <paramref name="pid"/> named git.</summary>
    private static List<int> GitChildren(int pid)
    {
        var result = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                string children;
                try
                {
                    children = File.ReadAllText(Path.Combine(task, "children"));
                }
                catch (IOException)
                {
                    continue;
                }
                foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    try
                    {
                        if (File.ReadAllText($"/proc/{child}/comm").Trim() == "git") result.Add(int.Parse(child, CultureInfo.InvariantCulture));
                    }
                    catch (IOException)
                    {
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        return result;
    }

    private static void WaitGone(int pid)
    {
        var guard = Stopwatch.StartNew();
        while (guard.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                // Gone, or a zombie waiting for its new parent to reap it.
                if (File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z')) return;
            }
            catch (IOException)
            {
                return;
            }
            Thread.Sleep(10);
        }
    }
}
