namespace AccountGrains.Grpc;

/// <summary>A call that ended with a status other than <see cref="StatusCode.OK"/>, whether the server said so or the client decided it.</summary>
public sealed class GrpcException : Exception
{
    public GrpcException()
        : this(new GrpcStatus(StatusCode.Unknown, string.Empty))
    {
    }

    public GrpcException(string message)
        : this(new GrpcStatus(StatusCode.Unknown, message))
    {
    }

    public GrpcException(string message, Exception innerException)
        : this(new GrpcStatus(StatusCode.Unknown, message), null, innerException)
    {
    }

    public GrpcException(GrpcStatus status, Metadata? trailers = null, Exception? innerException = null)
        : base($"gRPC status {status}", innerException)
    {
        Status = status;
        Trailers = trailers ?? Metadata.Empty;
    }

    public GrpcStatus Status { get; }

    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>The server's grpc-message, percent-decoded, or the client's own explanation.</summary>
    public string Detail => Status.Detail;

    /// <summary>The trailers the server sent with the status (empty when the client ended the call itself).</summary>
    public Metadata Trailers { get; }
}
