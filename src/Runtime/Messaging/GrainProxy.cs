using System.Reflection;

namespace AccountGrains.Runtime.Messaging;

/// <summary>
/// A grain reference: implements a grain interface by turning each call into a <see cref="GrainMessage"/>.
/// Stands in for the code Orleans generates for grain references.
/// </summary>
public class GrainProxy : DispatchProxy
{
    private IGrainCallRouter? _router;
    private GrainId _target;

    internal static TGrain Create<TGrain>(GrainId target, IGrainCallRouter router)
        where TGrain : IGrain
    {
        var proxy = DispatchProxy.Create<TGrain, GrainProxy>();
        var self = (GrainProxy)(object)proxy;
        self._router = router;
        self._target = target;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var router = _router ?? throw new InvalidOperationException("grain reference is not initialised");
        var method = GrainMethod.For(targetMethod);
        if (method.IsOneWay)
        {
            return router.SendAsync(new GrainMessage(_target, method, args ?? [], response: null)).AsTask();
        }

        var response = method.CreateResponse();
        var sent = router.SendAsync(new GrainMessage(_target, method, args ?? [], response));
        if (!sent.IsCompletedSuccessfully)
        {
            return AwaitSendThenResponse(sent, response);
        }

        return response.Task;
    }

    private static Task AwaitSendThenResponse(ValueTask sent, ResponseCompletion response)
    {
        // The transport is applying back-pressure; a send failure must surface through the task the caller holds.
        _ = ObserveSend(sent, response);
        return response.Task;

        static async Task ObserveSend(ValueTask sent, ResponseCompletion response)
        {
            try
            {
                await sent.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                response.SetException(e);
            }
        }
    }

    public override string ToString() => _target.ToString();
}

/// <summary>Sends grain messages towards the activation that owns their target.</summary>
public interface IGrainCallRouter
{
    ValueTask SendAsync(GrainMessage message, CancellationToken cancellationToken = default);
}
