namespace AccountGrains.Solana.Rpc;

/// <summary>A PubSub request (subscribe, unsubscribe) got no reply within <see cref="SolanaPubSubOptions.RequestTimeout"/>.</summary>
public sealed class SolanaPubSubTimeoutException : TimeoutException
{
    public SolanaPubSubTimeoutException()
    {
        Method = string.Empty;
    }

    public SolanaPubSubTimeoutException(string message)
        : base(message)
    {
        Method = string.Empty;
    }

    public SolanaPubSubTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
        Method = string.Empty;
    }

    public SolanaPubSubTimeoutException(string method, TimeSpan timeout)
        : base($"{method} got no reply within {timeout.TotalSeconds:0.###} s; the connection may be stalled")
    {
        Method = method;
    }

    /// <summary>The method that got no reply.</summary>
    public string Method { get; }
}
