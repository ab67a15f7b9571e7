using System.CommandLine;

namespace KafkaRestored.Daemon.Configuration;

/// <summary>Reads <see cref="DaemonOptions"/> from the same layered sources as the reconciler settings.</summary>
public static class DaemonSettings
{
    /// <summary>--http-listen URL|off.</summary>
    public static Option<string?> HttpListen { get; } = new("--http-listen") { Description = $"HTTP endpoints address (HttpListen, default {DaemonOptions.DefaultHttpListen}; 'off' disables)" };

    /// <summary>--webhook-secret-file FILE.</summary>
    public static Option<string?> WebhookSecretFile { get; } = new("--webhook-secret-file") { Description = "File holding the webhook HMAC secret (WebhookSecretFile)" };

    /// <summary>Adds the daemon flags to <paramref name="command"/>.</summary>
    public static Command WithDaemonSettings(this Command command)
    {
        command.Options.Add(HttpListen);
        command.Options.Add(WebhookSecretFile);
        return command;
    }

    /// <summary>The daemon settings for a parsed command line.</summary>
    public static DaemonOptions Load(ParseResult parse, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var flags = new Dictionary<string, string?>();
        if (parse.GetValue(HttpListen) is { Length: > 0 } listen) flags[nameof(DaemonOptions.HttpListen)] = listen;
        if (parse.GetValue(WebhookSecretFile) is { Length: > 0 } secret) flags[nameof(DaemonOptions.WebhookSecretFile)] = secret;
        var options = ReconcilerSettings.Bind<DaemonOptions>(
            ReconcilerSettings.BuildConfiguration(parse.GetValue(ReconcilerSettings.Config), flags, environment));
        var credentials = environment is null ? Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY") : environment.GetValueOrDefault("CREDENTIALS_DIRECTORY");
        if (options.WebhookSecretFile is null && !string.IsNullOrEmpty(credentials) && File.Exists(Path.Combine(credentials, "webhook-secret")))
            options.WebhookSecretFile = Path.Combine(credentials, "webhook-secret");
        return options;
    }
}
