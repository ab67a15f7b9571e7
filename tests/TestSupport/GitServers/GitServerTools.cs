namespace KafkaRestored.TestSupport.GitServers;

/// <summary>Whether the Git server tests can run here.</summary>
public static class GitServerTools
{
    /// <summary>Set to 1 (as .ci/run does, after installing the packages) to fail instead of skip when a server is missing.</summary>
    public const string RequireVariable = "KR_REQUIRE_GIT_SERVERS";

    /// <summary>A loud skip reason when lighttpd or sshd is missing and not required, else null (run, and fail if missing).</summary>
    public static string? SkipReason
    {
        get
        {
            var missing = GitHttpsServer.MissingTools ?? GitSshServer.MissingTools;
            if (missing is null || Environment.GetEnvironmentVariable(RequireVariable) == "1") return null;
            return $"NOT TESTED: Git over HTTPS/SSH needs real servers: {missing}. CI installs them and sets {RequireVariable}=1.";
        }
    }
}
