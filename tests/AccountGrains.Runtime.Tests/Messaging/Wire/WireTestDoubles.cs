using System.Buffers;
using AccountGrains.Runtime.Messaging;
using AccountGrains.Runtime.Messaging.Wire;

namespace AccountGrains.Runtime.Tests.Messaging.Wire;

/// <summary>An account grain without a runtime: records what it was given, answers from memory.</summary>
internal sealed class RecordingAccountGrain : IAccountGrain
{
    public List<AccountUpdate> Applied { get; } = [];

    public AccountSnapshot Snapshot { get; } = new(WireSamples.Usdc, WireSamples.State(), SnapshotSource.Cache);

    public Task ApplyAsync(AccountUpdate update)
    {
        Applied.Add(update);
        return Task.CompletedTask;
    }

    public Task<ApplyOutcome> ApplyAndReportAsync(AccountUpdate update)
    {
        Applied.Add(update);
        return Task.FromResult(ApplyOutcome.Applied);
    }

    public Task<AccountSnapshot> GetSnapshotAsync() => Task.FromResult(Snapshot);
}

/// <summary>An account grain that knows no account.</summary>
internal sealed class MissingAccountGrain(string key) : IAccountGrain
{
    public Task ApplyAsync(AccountUpdate update) => Task.CompletedTask;

    public Task<ApplyOutcome> ApplyAndReportAsync(AccountUpdate update) => Task.FromResult(ApplyOutcome.Stale);

    public Task<AccountSnapshot> GetSnapshotAsync() => throw new KeyNotFoundException($"no account '{key}'");
}

internal sealed class RecordingSink : IResponseSink
{
    public object? Result { get; private set; }

    public Exception? Exception { get; private set; }

    public void SetResult(object? result) => Result = result;

    public void SetException(Exception exception) => Exception = exception;
}

/// <summary>
/// Routes every call through bytes: encodes it, decodes it on the "remote" side, runs it on a grain, encodes the
/// outcome and completes the caller's response from the decoded reply.
/// </summary>
internal sealed class WireLoopback(GrainCallCodec codec, RecordingAccountGrain grain) : IGrainCallRouter
{
    public async ValueTask SendAsync(GrainMessage message, CancellationToken cancellationToken = default)
    {
        var call = codec.Decode(codec.Encode(message));
        object target = call.Target.Key == WireSamples.Usdc ? grain : new MissingAccountGrain(call.Target.Key);
        var remote = new ReplyEncoder(call.Method);
        await call.Method.InvokeAsync(target, call.Arguments, call.IsOneWay ? null : remote);
        if (message.Response is { } response)
        {
            GrainReplyCodec.Decode(remote.Reply.WrittenSpan, message.Method).CompleteTo(response);
        }
    }

    private sealed class ReplyEncoder(GrainMethod method) : IResponseSink
    {
        public ArrayBufferWriter<byte> Reply { get; } = new();

        public void SetResult(object? result) => GrainReplyCodec.EncodeResult(Reply, method, result);

        public void SetException(Exception exception) => GrainReplyCodec.EncodeException(Reply, exception);
    }
}
