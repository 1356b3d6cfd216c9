using System.Reflection;

namespace AccountGrains.Runtime.Hosting.Cluster;

/// <summary>
/// The grain interfaces a process without grain classes (a gateway, a client) can call: every interface of the
/// contracts assembly that carries <see cref="GrainTypeAttribute"/>.
/// </summary>
public static class ClientGrainInterfaces
{
    public static IReadOnlyList<Type> All { get; } = Find(typeof(IGrain).Assembly);

    public static IReadOnlyList<Type> Find(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetTypes()
            .Where(t => t.IsInterface && t.GetCustomAttribute<GrainTypeAttribute>() is not null)
            .ToArray();
    }
}
