namespace AccountGrains.Runtime.Messaging.Wire;

/// <summary>
/// A remote grain call failed with an exception that is not rebuilt as its own type on the caller's side
/// (see <see cref="GrainReplyCodec"/>): carries the remote exception's type name and message.
/// </summary>
public sealed class GrainCallException : Exception
{
    public GrainCallException()
        : this("unknown", "the remote grain call failed")
    {
    }

    public GrainCallException(string message)
        : this("unknown", message)
    {
    }

    public GrainCallException(string message, Exception innerException)
        : base(message, innerException)
    {
        RemoteType = "unknown";
    }

    public GrainCallException(string remoteType, string message)
        : base(message)
    {
        RemoteType = remoteType;
    }

    /// <summary>The full type name of the exception the grain threw, e.g. <c>System.IO.IOException</c>.</summary>
    public string RemoteType { get; }

    public override string ToString() => $"{RemoteType} (remote): {Message}";
}
