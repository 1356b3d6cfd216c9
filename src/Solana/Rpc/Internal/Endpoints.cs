namespace AccountGrains.Solana.Rpc.Internal;

internal static class Endpoints
{
    /// <summary>scheme://host:port only: paths and query strings may hold API keys and are never shown.</summary>
    public static string Describe(Uri endpoint)
    {
        return $"{endpoint.Scheme}://{endpoint.Host}:{endpoint.Port}";
    }
}
