namespace AccountGrains.Runtime.Messaging;

/// <summary>
/// A call to a grain method on its way to the grain's activation. <see cref="Response"/> is null for one-way calls.
/// </summary>
public sealed class GrainMessage
{
    public GrainMessage(GrainId target, GrainMethod method, object?[] arguments, IResponseSink? response)
    {
        Target = target;
        Method = method;
        Arguments = arguments;
        Response = response;
    }

    public GrainId Target { get; }

    public GrainMethod Method { get; }

    public object?[] Arguments { get; }

    public IResponseSink? Response { get; }

    public override string ToString() => $"{Target}.{Method.Name}";
}

/// <summary>Receives the outcome of a call: a result or an exception.</summary>
public interface IResponseSink
{
    void SetResult(object? result);

    void SetException(Exception exception);
}
