using KafkaRestored.TestSupport.GitServers;

namespace KafkaRestored.Daemon.Tests.Git;

/// <summary>A fact that needs lighttpd and sshd: skipped with a loud reason when they are missing, unless CI requires them.</summary>
public sealed class GitServerFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> from <see cref="GitServerTools.SkipReason"/>.</summary>
    public GitServerFactAttribute() => Skip = GitServerTools.SkipReason;
}
