namespace KafkaRestored.Daemon.Http;

/// <summary>
/// The HTTP listener could not bind its address (in use, not permitted, no such interface): a settings
/// problem the daemon reports in one line before any work starts, never after.
/// </summary>
public sealed class ListenerBindException(string message, Exception inner) : Exception(message, inner);
