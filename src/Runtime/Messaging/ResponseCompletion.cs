namespace AccountGrains.Runtime.Messaging;

/// <summary>
/// The in-process response sink: a task the caller awaits. Continuations run asynchronously so a caller never
/// runs inside the grain's turn.
/// </summary>
internal abstract class ResponseCompletion : IResponseSink
{
    public abstract Task Task { get; }

    public abstract void SetResult(object? result);

    public abstract void SetException(Exception exception);
}

internal sealed class ResponseCompletion<TResult> : ResponseCompletion
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override Task Task => _completion.Task;

    public Task<TResult> TypedTask => _completion.Task;

    public override void SetResult(object? result) => _completion.TrySetResult((TResult)result!);

    public override void SetException(Exception exception) => _completion.TrySetException(exception);
}
