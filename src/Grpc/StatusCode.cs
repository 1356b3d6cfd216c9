namespace AccountGrains.Grpc;

/// <summary>The gRPC status codes, with the numbers the wire uses (grpc-status).</summary>
public enum StatusCode
{
    /// <summary>Not an error; returned on success.</summary>
    OK = 0,

    /// <summary>The operation was cancelled, typically by the caller.</summary>
    Cancelled = 1,

    /// <summary>Unknown error, also used when an HTTP response carries no gRPC status.</summary>
    Unknown = 2,

    /// <summary>The client specified an invalid argument.</summary>
    InvalidArgument = 3,

    /// <summary>The deadline expired before the operation could complete.</summary>
    DeadlineExceeded = 4,

    /// <summary>Some requested entity was not found.</summary>
    NotFound = 5,

    /// <summary>The entity that a client attempted to create already exists.</summary>
    AlreadyExists = 6,

    /// <summary>The caller does not have permission to execute the operation.</summary>
    PermissionDenied = 7,

    /// <summary>Some resource has been exhausted, e.g. a message was larger than the configured maximum.</summary>
    ResourceExhausted = 8,

    /// <summary>The system is not in a state required for the operation's execution.</summary>
    FailedPrecondition = 9,

    /// <summary>The operation was aborted.</summary>
    Aborted = 10,

    /// <summary>The operation was attempted past the valid range (Yellowstone: from_slot too old).</summary>
    OutOfRange = 11,

    /// <summary>The operation is not implemented or not supported, e.g. an unknown method or encoding.</summary>
    Unimplemented = 12,

    /// <summary>Internal error: an invariant of the protocol was broken (bad frames, missing trailers).</summary>
    Internal = 13,

    /// <summary>The service is currently unavailable (connection failures); usually transient, retry with back-off.</summary>
    Unavailable = 14,

    /// <summary>Unrecoverable data loss or corruption.</summary>
    DataLoss = 15,

    /// <summary>The request does not have valid authentication credentials (e.g. a bad x-token).</summary>
    Unauthenticated = 16,
}
