namespace AccountGrains.Runtime.Hosting.Cluster;

/// <summary>
/// Told when this silo starts processing a partition (after its consumer is running). The ingest leader uses it: the
/// owner of the ingest grain's partition starts the ingest. Must not block; failures are logged.
/// </summary>
public interface IPartitionListener
{
    Task OnPartitionStartedAsync(int partition, long epoch, CancellationToken cancellationToken);
}
