using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Notifications;

/// <summary>A fact that needs prometheus-alertmanager: skipped with a loud reason when it is missing, unless CI requires it.</summary>
public sealed class AlertmanagerFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> from <see cref="AlertmanagerServer.SkipReason"/>.</summary>
    public AlertmanagerFactAttribute() => Skip = AlertmanagerServer.SkipReason;
}
