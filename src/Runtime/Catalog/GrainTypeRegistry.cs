using System.Collections.Frozen;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace AccountGrains.Runtime.Catalog;

/// <summary>A grain interface bound to its implementation class and grain type name.</summary>
public sealed record GrainRegistration(Type Interface, Type Implementation, string TypeName);

/// <summary>Which class implements which grain type, and how to construct it.</summary>
public sealed class GrainTypeRegistry
{
    private readonly FrozenDictionary<Type, string> _typeNameByInterface;
    private readonly FrozenDictionary<string, ObjectFactory> _factoryByTypeName;

    public GrainTypeRegistry(IEnumerable<GrainRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        var byInterface = new Dictionary<Type, string>();
        var byName = new Dictionary<string, ObjectFactory>(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            if (!byName.TryAdd(registration.TypeName, ActivatorUtilities.CreateFactory(registration.Implementation, Type.EmptyTypes)))
            {
                throw new InvalidOperationException($"grain type '{registration.TypeName}' is registered twice");
            }

            byInterface[registration.Interface] = registration.TypeName;
        }

        _typeNameByInterface = byInterface.ToFrozenDictionary();
        _factoryByTypeName = byName.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The registered grain interfaces; <see cref="TypeNameFor"/> names their grain types.</summary>
    public IReadOnlyCollection<Type> Interfaces => _typeNameByInterface.Keys;

    /// <summary>The type name of a grain interface, from its <see cref="GrainTypeAttribute"/>.</summary>
    public static string TypeNameOf(Type grainInterface)
    {
        ArgumentNullException.ThrowIfNull(grainInterface);
        return grainInterface.GetCustomAttribute<GrainTypeAttribute>()?.Name
            ?? throw new InvalidOperationException($"grain interface {grainInterface.Name} has no [GrainType] attribute");
    }

    /// <summary>
    /// The grain type of an interface: the registered one, else its <see cref="GrainTypeAttribute"/> (a gateway or a
    /// client calls grains whose classes run elsewhere in the cluster).
    /// </summary>
    public string TypeNameFor(Type grainInterface) =>
        _typeNameByInterface.TryGetValue(grainInterface, out var name) ? name : TypeNameOf(grainInterface);

    public Grain Create(IServiceProvider services, GrainId id)
    {
        if (!_factoryByTypeName.TryGetValue(id.Type, out var factory))
        {
            throw new InvalidOperationException($"no grain class is registered for grain type '{id.Type}'");
        }

        var grain = (Grain)factory(services, null);
        grain.Bind(id);
        return grain;
    }
}
