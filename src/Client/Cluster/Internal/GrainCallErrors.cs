using AccountGrains.Runtime.Messaging.Wire;
using RabbitMQ.Client.Exceptions;

namespace AccountGrains.Client.Cluster.Internal;

/// <summary>
/// Turns what a grain call can fail with into the one exception of the library. What arrives here: the transport's
/// <see cref="TimeoutException"/> (no reply within <c>AccountGrains:RabbitMq:CallTimeout</c>); the grain's own
/// exception, which <see cref="GrainReplyCodec"/> rebuilds as <see cref="ArgumentException"/>,
/// <see cref="InvalidOperationException"/>, <see cref="KeyNotFoundException"/> or <see cref="TimeoutException"/>, and
/// as <see cref="GrainCallException"/> for anything else; <see cref="GrainWireException"/> for a reply this process
/// cannot read; and RabbitMQ's exceptions when the broker cannot carry the request.
/// </summary>
internal static class GrainCallErrors
{
    public static AccountGrainsException Translate(string what, Exception exception) => exception switch
    {
        AccountGrainsException known => known,
        TimeoutException e => new(
            ClusterErrorCodes.Timeout,
            $"{what} got no answer from the cluster: {e.Message}; is a silo running? (a failed silo's partitions move to the others within seconds: retry)",
            e),
        GrainCallException e => new(ClusterErrorCodes.GrainFailed, $"{what} failed in the grain ({e.RemoteType}): {e.Message}", e),
        GrainWireException e => new(
            ClusterErrorCodes.ProtocolMismatch,
            $"{what}: the silo's answer could not be read ({e.Message}); are this client and the silos built from the same version?",
            e),

        // Before InvalidOperationException: ObjectDisposedException is one, and comes from a channel closed under us.
        RabbitMQClientException or OperationInterruptedException or ProtocolException or ObjectDisposedException or IOException =>
            new(ClusterErrorCodes.Unavailable, $"{what} could not be sent: RabbitMQ is not reachable now ({exception.Message}); retry once it is back", exception),
        ArgumentException or InvalidOperationException or KeyNotFoundException =>
            new(ClusterErrorCodes.Rejected, $"{what} was refused: {exception.Message}", exception),
        _ => new(ClusterErrorCodes.GrainFailed, $"{what} failed ({exception.GetType().Name}): {exception.Message}", exception),
    };
}
