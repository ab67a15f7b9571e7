using KafkaRestored.TestSupport;
using Xunit;

namespace KafkaRestored.Tests.Shared;

/// <summary>A fact that needs a size-limited tmpfs (root or CAP_SYS_ADMIN to mount one): skipped with the reason elsewhere.</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> from <see cref="SmallDisk.SkipReason"/>.</summary>
    public SmallDiskFactAttribute() => Skip = SmallDisk.SkipReason;
}
