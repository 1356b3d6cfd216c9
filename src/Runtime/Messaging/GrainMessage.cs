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

    /// <summary>
    /// When tracked (see <see cref="TrackProcessing"/>), completes once the message's turn has run, and faults when
    /// the grain could not take it (activation failed) or a one-way call threw. The cluster transport acknowledges on
    /// it; the in-process transport does not track.
    /// </summary>
    public Task? Processed => _processed?.Task;

    private TaskCompletionSource? _processed;

    /// <summary>Starts tracking <see cref="Processed"/>; call before the message is delivered.</summary>
    public Task TrackProcessing()
    {
        _processed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _processed.Task;
    }

    /// <summary>The turn ran (a call with a response reports its own exceptions to the caller).</summary>
    public void MarkProcessed() => _processed?.TrySetResult();

    /// <summary>The message was not processed, or a one-way call failed.</summary>
    public void MarkFailed(Exception exception) => _processed?.TrySetException(exception);

    public override string ToString() => $"{Target}.{Method.Name}";
}

/// <summary>Receives the outcome of a call: a result or an exception.</summary>
public interface IResponseSink
{
    void SetResult(object? result);

    void SetException(Exception exception);
}
