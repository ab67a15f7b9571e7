// The restore engine: resource model, backup formats and storage, writing records into Kafka,
// and consumer-group offset work. It knows nothing of Git, LiteDB or hosting.
[assembly: System.CLSCompliant(false)]
