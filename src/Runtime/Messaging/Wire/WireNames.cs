using System.Reflection;
using System.Text;

namespace AccountGrains.Runtime.Messaging.Wire;

/// <summary>
/// Stable names for the wire: a method is <c>ApplyAsync(AccountUpdate)</c>, a type its short name with generic
/// arguments (<c>IReadOnlyList&lt;Interest&gt;</c>). Never reflection order, never assembly-qualified names, so
/// reordering, adding or moving members between assemblies keeps every existing name.
/// </summary>
internal static class WireNames
{
    public static string Of(MethodInfo method)
    {
        var name = new StringBuilder(method.Name).Append('(');
        var parameters = method.GetParameters();
        for (var i = 0; i < parameters.Length; i++)
        {
            if (i > 0)
            {
                name.Append(',');
            }

            Append(name, parameters[i].ParameterType);
        }

        return name.Append(')').ToString();
    }

    public static string Of(Type type) => Append(new StringBuilder(), type).ToString();

    private static StringBuilder Append(StringBuilder name, Type type)
    {
        if (type.IsArray)
        {
            return Append(name, type.GetElementType()!).Append('[').Append(',', type.GetArrayRank() - 1).Append(']');
        }

        if (type.IsByRef)
        {
            return Append(name.Append("ref "), type.GetElementType()!);
        }

        if (!type.IsGenericType)
        {
            return name.Append(type.Name);
        }

        var tick = type.Name.IndexOf('`', StringComparison.Ordinal);
        name.Append(tick < 0 ? type.Name : type.Name[..tick]).Append('<');
        var arguments = type.GetGenericArguments();
        for (var i = 0; i < arguments.Length; i++)
        {
            if (i > 0)
            {
                name.Append(',');
            }

            Append(name, arguments[i]);
        }

        return name.Append('>');
    }
}
