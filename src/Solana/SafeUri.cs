namespace AccountGrains.Solana;

/// <summary>How endpoint URLs appear in logs, status and errors: API keys often sit in a URL's user info, path or query.</summary>
public static class SafeUri
{
    /// <summary><c>scheme://host:port</c> only; <c>(none)</c> for no URL.</summary>
    public static string Describe(Uri? endpoint) => endpoint is null ? "(none)" : $"{endpoint.Scheme}://{endpoint.IdnHost}:{endpoint.Port}";
}
