using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>A fact that needs Debian's chromium: skipped with a loud reason when it is missing, unless CI requires it.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> from <see cref="HeadlessBrowser.SkipReason"/>.</summary>
    public BrowserFactAttribute() => Skip = HeadlessBrowser.SkipReason;
}
