namespace AccountGrains.Client.Cluster;

/// <summary>
/// The <see cref="AccountGrainsException.Code"/>s of <see cref="AccountGrainsClusterClient"/>. Invalid arguments (a
/// bad pubkey) are <see cref="ArgumentException"/>s raised before anything is sent, and a disposed client raises
/// <see cref="ObjectDisposedException"/>; everything that goes wrong in the cluster is one of these.
/// </summary>
public static class ClusterErrorCodes
{
    /// <summary>
    /// No answer in time (<c>AccountGrains:RabbitMq:CallTimeout</c>): no silo is consuming the grain's partition (none
    /// running, or the partition is between owners after a failure), or the broker is unreachable. Retrying later is
    /// safe: reads and interest changes are idempotent.
    /// </summary>
    public const string Timeout = "timeout";

    /// <summary>The grain refused the request (an invalid interest, a full interest set): the message says why.</summary>
    public const string Rejected = "rejected";

    /// <summary>The grain failed while handling the call (storage down, a bug); the message names the remote error.</summary>
    public const string GrainFailed = "grain_failed";

    /// <summary>RabbitMQ could not carry the call (connection lost and not back yet); retry once it is.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>The silo's reply could not be read: client and silo disagree on the grain contracts (versions differ).</summary>
    public const string ProtocolMismatch = "protocol_mismatch";

    /// <summary><see cref="AccountGrainsClusterClient.ConnectAsync(Microsoft.Extensions.Configuration.IConfiguration, Microsoft.Extensions.Logging.ILoggerFactory?, CancellationToken)"/> could not reach RabbitMQ or the cluster database in time.</summary>
    public const string ConnectFailed = "connect_failed";

    /// <summary>
    /// A client connected with <c>ConnectAsync</c> was declared dead by the cluster (its heartbeats did not reach the
    /// database for <c>AccountGrains:Cluster:DeadAfter</c>) and has left: dispose it and connect again.
    /// </summary>
    public const string ClientStopped = "client_stopped";
}
