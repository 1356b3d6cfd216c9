namespace AccountGrains.Runtime.Messaging.Wire;

/// <summary>
/// A payload could not be read or written: wrong version, truncated, garbage, or naming a grain type, method or value
/// this process does not know. The message says which; a receiver rejects the message and keeps running.
/// </summary>
public sealed class GrainWireException : Exception
{
    public GrainWireException()
    {
    }

    public GrainWireException(string message)
        : base(message)
    {
    }

    public GrainWireException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
