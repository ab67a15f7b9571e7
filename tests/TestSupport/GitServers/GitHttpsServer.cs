namespace KafkaRestored.TestSupport.GitServers;

/// <summary>
/// Smart HTTP over TLS on loopback: lighttpd runs git http-backend for the bare repository of a
/// <see cref="GitRemote"/>, behind basic auth (a token stands in as the password, as on GitHub) and a
/// certificate from a CA generated with openssl for this test. The daemon trusts the CA through
/// SSL_CERT_FILE.
/// </summary>
public sealed class GitHttpsServer : IDisposable
{
    /// <summary>User name the bot logs in with.</summary>
    public const string BotUser = "x-access-token";

    private readonly TempDir _dir = new("kr-git-https");
    private readonly ServerProcess _server;

    /// <summary>Why this server cannot run here, or null when lighttpd, git http-backend and openssl are installed.</summary>
    public static string? MissingTools { get; } =
        ServerProcess.Find("lighttpd") is null ? "lighttpd is not installed (Debian: apt-get install lighttpd; .ci/run installs it)"
        : ServerProcess.Find("git-http-backend") is null ? "git http-backend is not installed (Debian: apt-get install git)"
        : ServerProcess.Find("openssl") is null ? "openssl is not installed (Debian: apt-get install openssl)"
        : null;

    /// <summary>Serves <paramref name="remote"/>'s bare repository; the bot's token is <paramref name="token"/> or a fresh one (<see cref="Token"/>).</summary>
    public GitHttpsServer(GitRemote remote, string? token = null)
    {
        if (MissingTools is { } missing) throw new InvalidOperationException(missing);
        Token = token ?? "ghp_" + Guid.NewGuid().ToString("N");
        HumanPassword = "pat-" + Guid.NewGuid().ToString("N");
        CaPath = _dir.Combine("ca.crt");
        GenerateCertificates();
        var root = Path.GetDirectoryName(remote.BarePath)!;
        Hooks = new ServerHooks(remote.BarePath, _dir.Combine());
        File.WriteAllText(_dir.Combine("users"), $"{BotUser}:{Token}\npat:{HumanPassword}\n");
        Port = ServerProcess.FreePort();
        var backend = ServerProcess.Find("git-http-backend")!;
        File.WriteAllText(_dir.Combine("lighttpd.conf"), $$"""
            server.modules = ("mod_access", "mod_alias", "mod_auth", "mod_authn_file", "mod_cgi", "mod_setenv", "mod_openssl", "mod_accesslog")
            server.document-root = "{{root}}"
            server.bind = "127.0.0.1"
            server.port = {{Port}}
            server.errorlog = "{{_dir.Combine("error.log")}}"
            accesslog.filename = "{{_dir.Combine("access.log")}}"
            ssl.engine = "enable"
            ssl.pemfile = "{{_dir.Combine("server.pem")}}"
            auth.backend = "plain"
            auth.backend.plain.userfile = "{{_dir.Combine("users")}}"
            auth.require = ( "/" => ( "method" => "basic", "realm" => "git", "require" => "valid-user" ) )
            alias.url = ( "/git/" => "{{backend}}/" )
            $HTTP["url"] =~ "^/git/" {
              cgi.assign = ( "" => "" )
              setenv.add-environment = ( "GIT_PROJECT_ROOT" => "{{root}}", "GIT_HTTP_EXPORT_ALL" => "1" )
            }
            """);
        _server = new ServerProcess(ServerProcess.Find("lighttpd")!, ["-D", "-f", _dir.Combine("lighttpd.conf")], Port);
        Url = $"https://127.0.0.1:{Port}/git/{Path.GetFileName(remote.BarePath)}";
        Human = new TransportHuman($"https://pat:{HumanPassword}@127.0.0.1:{Port}/git/{Path.GetFileName(remote.BarePath)}",
            _dir.Combine("human"), remote.Branch, new Dictionary<string, string?> { ["GIT_SSL_CAINFO"] = CaPath });
    }

    /// <summary>Clone URL, without credentials.</summary>
    public string Url { get; }

    /// <summary>Listening port.</summary>
    public int Port { get; }

    /// <summary>The bot's token (its basic-auth password).</summary>
    public string Token { get; }

    /// <summary>The human's password.</summary>
    public string HumanPassword { get; }

    /// <summary>The test CA's certificate (PEM), for SSL_CERT_FILE.</summary>
    public string CaPath { get; }

    /// <summary>The repository's hooks: accepted pushes per user, branch protection.</summary>
    public ServerHooks Hooks { get; }

    /// <summary>A person pushing over HTTPS as user "pat".</summary>
    public TransportHuman Human { get; }

    /// <summary>lighttpd's access log: one line per request (method, path, status).</summary>
    public string AccessLog => File.Exists(_dir.Combine("access.log")) ? File.ReadAllText(_dir.Combine("access.log")) : "";

    /// <summary>lighttpd's error log and output, for failure messages.</summary>
    public string ServerLog => (File.Exists(_dir.Combine("error.log")) ? File.ReadAllText(_dir.Combine("error.log")) : "") + _server.Output;

    /// <summary>Whether the server is taking a push now (git http-backend running receive-pack).</summary>
    public bool ReceivePackRunning => _server.HasDescendantRunning("receive-pack");

    /// <summary>Writes the token to a file (mode 0600) for GitTokenFile and returns its path.</summary>
    public string WriteTokenFile(string folder, string? token = null)
    {
        var path = Path.Combine(folder, "git-token");
        File.WriteAllText(path, (token ?? Token) + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private void GenerateCertificates()
    {
        var san = _dir.Combine("san.cnf");
        File.WriteAllText(san, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        string[] ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        OpenSsl(["req", "-x509", .. ec, "-keyout", _dir.Combine("ca.key"), "-out", CaPath, "-days", "2", "-subj", "/CN=kafka-restored git test CA"]);
        OpenSsl(["req", .. ec, "-keyout", _dir.Combine("server.key"), "-out", _dir.Combine("server.csr"), "-subj", "/CN=localhost"]);
        OpenSsl(["x509", "-req", "-in", _dir.Combine("server.csr"), "-CA", CaPath, "-CAkey", _dir.Combine("ca.key"),
            "-CAcreateserial", "-out", _dir.Combine("server.crt"), "-days", "2", "-extfile", san]);
        File.WriteAllText(_dir.Combine("server.pem"), File.ReadAllText(_dir.Combine("server.crt")) + File.ReadAllText(_dir.Combine("server.key")));
    }

    private void OpenSsl(string[] args) =>
        ProcessRunner.Run("openssl", args, _dir.Path, timeout: TimeSpan.FromMinutes(1)).EnsureSuccess("openssl " + args[0]);

    /// <inheritdoc />
    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }
}
