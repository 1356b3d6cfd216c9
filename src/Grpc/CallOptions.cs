namespace AccountGrains.Grpc;

/// <summary>Per-call settings. <c>default</c> means no metadata, no deadline and no cancellation.</summary>
public readonly record struct CallOptions
{
    /// <summary>Metadata sent as request headers (e.g. x-token). Values are never logged.</summary>
    public Metadata? Headers { get; init; }

    /// <summary>
    /// When the call must be over (UTC). Sent as grpc-timeout and enforced locally: once it passes the call is
    /// cancelled and fails with <see cref="StatusCode.DeadlineExceeded"/>. Null or <see cref="DateTime.MaxValue"/>: none.
    /// </summary>
    public DateTime? Deadline { get; init; }

    /// <summary>Cancels the whole call; it then fails with <see cref="StatusCode.Cancelled"/>.</summary>
    public CancellationToken CancellationToken { get; init; }
}
