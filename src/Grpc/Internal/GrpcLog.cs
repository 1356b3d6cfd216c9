using Microsoft.Extensions.Logging;

namespace AccountGrains.Grpc.Internal;

/// <summary>gRPC client log lines (event ids 5000-5099). Metadata values are never logged, only their keys.</summary>
internal static partial class GrpcLog
{
    [LoggerMessage(5001, LogLevel.Debug, "gRPC call {Method} to {Authority} starting (metadata keys: {MetadataKeys})")]
    public static partial void CallStarting(ILogger logger, string method, string authority, string metadataKeys);

    [LoggerMessage(5002, LogLevel.Debug, "gRPC call {Method} finished with {StatusCode}")]
    public static partial void CallFinished(ILogger logger, string method, StatusCode statusCode);

    [LoggerMessage(5003, LogLevel.Information, "gRPC call {Method} failed with {StatusCode}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, string detail);
}
