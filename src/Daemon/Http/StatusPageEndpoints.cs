using System.Reflection;
using KafkaRestored.Restore.Resources.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace KafkaRestored.Daemon.Http;

/// <summary>
/// The read-only status page on the daemon's listener: GET (and HEAD) of /, /resources/&lt;kind&gt;/&lt;namespace&gt;/&lt;name&gt;,
/// /api/live (the JSON the page polls) and /assets/* (its script, styles and the vendored chart library,
/// embedded in the binary). Any other method on any path but the webhook answers 405; every response carries
/// a Content-Security-Policy allowing only the daemon's own files (no inline script, no other host).
/// </summary>
public static class StatusPageEndpoints
{
    /// <summary>The policy every response carries: this origin's scripts, styles and fetches only; no frames, forms, plugins or base changes.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly string[] ReadMethods = [HttpMethods.Get, HttpMethods.Head];

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    private static readonly Lazy<IReadOnlyDictionary<string, byte[]>> Assets = new(LoadAssets);

    /// <summary>Adds the headers and the method rule (only <paramref name="writePaths"/> take other methods than GET and HEAD).</summary>
    public static void UseReadOnly(WebApplication app, params string[] writePaths)
    {
        app.Use(async (ctx, next) =>
        {
            var h = ctx.Response.Headers;
            h.ContentSecurityPolicy = ContentSecurityPolicy;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            var method = ctx.Request.Method;
            if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !writePaths.Contains(ctx.Request.Path.Value, StringComparer.Ordinal))
            {
                ctx.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                h.Allow = "GET, HEAD";
                await ctx.Response.WriteAsync("read-only: only GET and HEAD; changes go through Git\n", ctx.RequestAborted);
                return;
            }
            await next(ctx);
        });
    }

    /// <summary>Maps the page's routes over <paramref name="source"/>.</summary>
    public static void Map(WebApplication app, StatusPageSource source)
    {
        app.MapMethods("/", ReadMethods, () => Html(StatusOverviewPage.Render(source)));
        app.MapMethods("/resources/{kind}/{ns}/{name}", ReadMethods, (string kind, string ns, string name) =>
            ResourcePage.Render(source, new ResourceId(kind, ns, name)) is { } page
                ? Html(page)
                : Results.Text("no such resource in the state store\n", statusCode: StatusCodes.Status404NotFound));
        app.MapMethods("/api/live", ReadMethods, (HttpContext ctx) =>
        {
            ctx.Response.Headers.CacheControl = "no-store";
            return Results.Json(LiveFeed.From(source.Resources(), source.Live(), source.Time.GetUtcNow()));
        });
        app.MapMethods("/assets/{**file}", ReadMethods, (string file) =>
            Assets.Value.TryGetValue(file, out var bytes) && ContentTypes.TryGetValue(Path.GetExtension(file), out var type)
                ? Results.Bytes(bytes, type)
                : Results.NotFound());
    }

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");

    private static Dictionary<string, byte[]> LoadAssets()
    {
        var assembly = typeof(StatusPageEndpoints).Assembly;
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("assets/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            result[name["assets/".Length..]] = copy.ToArray();
        }
        return result;
    }
}
