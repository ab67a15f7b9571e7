using LibGit2Sharp;
using LibGit2Sharp.Handlers;

namespace KafkaRestored.Reconciler.Git;

/// <summary>
/// Runs the clone's network operations (fetch, push) one at a time within the fetch timeout, with the
/// configured credentials, and turns their failures into redacted <see cref="GitSourceException"/>s.
/// </summary>
internal sealed class GitTransport(ReconcilerOptions options) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The latest operation's task, possibly still stuck in libgit2.</summary>
    public Task InFlight { get; private set; } = Task.CompletedTask;

    /// <summary>Repository URL without credentials, for messages.</summary>
    public string SafeUrl => UrlRedaction.Redact(options.RepositoryUrl);

    /// <summary>Runs <paramref name="work"/> on a worker, after the previous operation, giving up after FetchTimeout.</summary>
    public async Task RunAsync(string failReason, string timeoutReason, string verb, Action<CancellationToken> work, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.FetchTimeout);
        if (!await _gate.WaitAsync(options.FetchTimeout, cancellationToken))
            throw new GitSourceException(timeoutReason, $"A previous Git operation on {SafeUrl} is still running after {options.FetchTimeout}; the {verb} was skipped.");
        var task = Task.Run(() =>
        {
            try
            {
                work(timeout.Token);
            }
            finally
            {
                _gate.Release();
            }
        }, CancellationToken.None);
        InFlight = task;
        try
        {
            // libgit2 only checks for cancellation in its progress callbacks; a hung connect still
            // ends the wait here, and the gate keeps the next operation from racing it.
            await task.WaitAsync(options.FetchTimeout + TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new GitSourceException(timeoutReason, $"Git {verb} from {SafeUrl} did not finish within {options.FetchTimeout} (FetchTimeout).");
        }
        catch (GitSourceException)
        {
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is LibGit2SharpException or UserCancelledException)
        {
            if (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                throw new GitSourceException(timeoutReason, $"Git {verb} from {SafeUrl} did not finish within {options.FetchTimeout} (FetchTimeout).");
            cancellationToken.ThrowIfCancellationRequested();
            throw new GitSourceException(failReason, $"Git {verb} with {SafeUrl} failed: {Redact(e.Message)}");
        }
    }

    /// <summary>The token credentials when a token file is configured, else null (SSH or anonymous).</summary>
    public CredentialsHandler? Credentials()
    {
        if (options.GitTokenFile is not { Length: > 0 } file) return null;
        return (_, _, _) => new UsernamePasswordCredentials { Username = options.GitUsername, Password = ReadToken(file) };
    }

    private static string ReadToken(string file)
    {
        try
        {
            return File.ReadAllText(file).Trim();
        }
        catch (IOException e)
        {
            throw new GitSourceException("GitTokenUnreadable", $"Cannot read the Git token file {file}: {e.Message}. Check the setting GitTokenFile.");
        }
        catch (UnauthorizedAccessException)
        {
            throw new GitSourceException("GitTokenUnreadable", $"No permission to read the Git token file {file}. Check its owner and mode.");
        }
    }

    /// <summary><paramref name="text"/> without URL credentials or the token.</summary>
    public string Redact(string text)
    {
        string[] secrets = options.GitTokenFile is { Length: > 0 } f && File.Exists(f) ? [ReadTokenQuietly(f)] : [];
        return UrlRedaction.Redact(text, secrets);

        static string ReadTokenQuietly(string file)
        {
            try
            {
                return File.ReadAllText(file).Trim();
            }
            catch (IOException)
            {
                return "";
            }
            catch (UnauthorizedAccessException)
            {
                return "";
            }
        }
    }

    public void Dispose() => _gate.Dispose();
}
