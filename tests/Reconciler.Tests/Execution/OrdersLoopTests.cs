using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>
/// What the loop tests over the orders backup share: the mock broker, a bare Git remote, a folder
/// backup of 3 partitions × 20 records, a closed broker address, and the Ready condition of a record.
/// </summary>
public abstract class OrdersLoopTests : IClassFixture<KafkaFixture>, IDisposable
{
    /// <summary>Partitions of the orders backup and of every target topic.</summary>
    protected const int Partitions = 3;

    /// <summary>A broker address nothing listens on: an attempt fails with ClusterUnreachable after the connect timeout.</summary>
    protected const string ClosedPort = "127.0.0.1:1";

    protected OrdersLoopTests(KafkaFixture kafka)
    {
        Kafka = kafka;
        Orders = new OrdersBackup(Remote.Scratch("backups"), Partitions, 20);
    }

    protected KafkaFixture Kafka { get; }

    protected GitRemote Remote { get; } = new();

    protected OrdersBackup Orders { get; }

    public void Dispose()
    {
        Remote.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static Condition Ready(ResourceRecord record) => Conditions.Find(record.Status.Conditions, ConditionTypes.Ready)!;

    protected int RecordsIn(string topic) => RestoreKit.ReadTopic(Kafka.Broker.BootstrapServers, topic, Partitions).Count;
}
