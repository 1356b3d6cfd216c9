namespace AccountGrains;

/// <summary>
/// The identity of a grain: <c>type/key</c>, e.g. <c>account/EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v</c>.
/// The key is what partitions hash; the type selects the grain class.
/// </summary>
public readonly record struct GrainId
{
    public GrainId(string type, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (type.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"grain type '{type}' must not contain '/'", nameof(type));
        }

        Type = type;
        Key = key;
    }

    public string Type { get; }

    public string Key { get; }

    /// <summary>Parses <c>type/key</c>; the key may itself contain '/'.</summary>
    public static GrainId Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1)
        {
            throw new FormatException($"grain id '{value}' is not of the form type/key");
        }

        return new GrainId(value[..slash], value[(slash + 1)..]);
    }

    public override string ToString() => $"{Type}/{Key}";
}
