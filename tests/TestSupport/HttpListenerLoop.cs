using System.Net;

namespace KafkaRestored.TestSupport;

/// <summary>The accept loop of the tests' HttpListener servers (S3 fault proxy, notification receivers): each request to a handler until the listener stops.</summary>
public static class HttpListenerLoop
{
    /// <summary>Hands each request of <paramref name="listener"/> to <paramref name="handle"/>, in turn, until the listener is stopped or aborted.</summary>
    public static async Task RunAsync(HttpListener listener, Func<HttpListenerContext, Task> handle)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(handle);
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            await handle(context);
        }
    }
}
