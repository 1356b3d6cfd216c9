namespace AccountGrains.Grpc;

/// <summary>The outcome of a call: a status code and the server's (percent-decoded) grpc-message, or a local explanation.</summary>
public readonly record struct GrpcStatus(StatusCode StatusCode, string Detail)
{
    /// <summary>The status of a call that succeeded.</summary>
    public static GrpcStatus Ok { get; } = new(StatusCode.OK, string.Empty);

    public override string ToString()
    {
        return Detail.Length == 0 ? $"{StatusCode} ({(int)StatusCode})" : $"{StatusCode} ({(int)StatusCode}): {Detail}";
    }
}
