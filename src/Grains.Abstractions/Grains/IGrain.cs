namespace AccountGrains;

/// <summary>
/// Marker for grain interfaces. Every method of a grain interface returns <see cref="Task"/> or
/// <see cref="Task{TResult}"/> and runs as one turn of the grain: turns of one grain never overlap.
/// </summary>
public interface IGrain;

/// <summary>Names the grain type of a grain interface: the <c>type</c> part of <see cref="GrainId"/>.</summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// Marks a grain method whose caller does not wait for the turn to run: the returned task completes when the
/// message is accepted by the transport. Used for the ingest hot path.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class OneWayAttribute : Attribute;
