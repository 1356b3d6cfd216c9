using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace AccountGrains.Runtime.Messaging;

/// <summary>
/// A grain interface method, analysed once: how to invoke it on an activation and how to hand its result back.
/// Every grain method returns <see cref="Task"/> or <see cref="Task{TResult}"/>.
/// </summary>
public abstract class GrainMethod
{
    private static readonly ConcurrentDictionary<MethodInfo, GrainMethod> Cache = new();

    private protected GrainMethod(MethodInfo method)
    {
        Info = method;
        IsOneWay = method.IsDefined(typeof(OneWayAttribute), inherit: false);
    }

    public MethodInfo Info { get; }

    public string Name => Info.Name;

    public bool IsOneWay { get; }

    public static GrainMethod For(MethodInfo method) => Cache.GetOrAdd(method, Create);

    /// <summary>A sink whose <see cref="Task"/> the caller awaits.</summary>
    internal abstract ResponseCompletion CreateResponse();

    /// <summary>Runs the method on <paramref name="grain"/> and reports the outcome to <paramref name="response"/>.</summary>
    internal abstract Task InvokeAsync(object grain, object?[] arguments, IResponseSink? response);

    private static GrainMethod Create(MethodInfo method)
    {
        var returnType = method.ReturnType;
        if (returnType == typeof(Task))
        {
            return new VoidGrainMethod(method);
        }

        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var resultType = returnType.GetGenericArguments()[0];
            var type = typeof(GrainMethod<>).MakeGenericType(resultType);
            return (GrainMethod)Activator.CreateInstance(type, BindingFlags.NonPublic | BindingFlags.Instance, null, [method], null)!;
        }

        throw new NotSupportedException(
            $"grain method {method.DeclaringType?.Name}.{method.Name} returns {returnType.Name}; grain methods return Task or Task<T>");
    }

    private protected Task Call(object grain, object?[] arguments)
    {
        try
        {
            return (Task?)Info.Invoke(grain, arguments) ?? Task.CompletedTask;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            // A method that throws before returning its task: rethrow the grain's exception (not a non-generic faulted
            // Task, which a Task<TResult> method could not be cast from) into the caller's catch.
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}

internal sealed class VoidGrainMethod(MethodInfo method) : GrainMethod(method)
{
    internal override ResponseCompletion CreateResponse() => new ResponseCompletion<object?>();

    internal override async Task InvokeAsync(object grain, object?[] arguments, IResponseSink? response)
    {
        try
        {
            await Call(grain, arguments).ConfigureAwait(false);
            response?.SetResult(null);
        }
        catch (Exception e) when (response is not null)
        {
            response.SetException(e);
        }
    }
}

internal sealed class GrainMethod<TResult> : GrainMethod
{
    private GrainMethod(MethodInfo method)
        : base(method)
    {
    }

    internal override ResponseCompletion CreateResponse() => new ResponseCompletion<TResult>();

    internal override async Task InvokeAsync(object grain, object?[] arguments, IResponseSink? response)
    {
        try
        {
            var result = await ((Task<TResult>)Call(grain, arguments)).ConfigureAwait(false);
            response?.SetResult(result);
        }
        catch (Exception e) when (response is not null)
        {
            response.SetException(e);
        }
    }
}
