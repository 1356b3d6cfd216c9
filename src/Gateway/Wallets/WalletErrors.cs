using AccountGrains.Solana;

namespace AccountGrains.Gateway.Wallets;

/// <summary>
/// What is wrong with a wallet request, the same on <c>/ws</c> and over REST: the code, the message and the HTTP
/// status of each error.
/// </summary>
internal static class WalletErrors
{
    private const int SignatureBytes = 64;

    // A 64-byte signature is at most 88 base58 characters; longer text is refused before decoding.
    private const int MaxSignatureLength = 88;

    public readonly record struct Error(int Status, string Code, string Message);

    /// <summary>An error when <paramref name="address"/> is not a base58 address of 32 bytes, saying why.</summary>
    public static Error? Address(string? address)
    {
        if (address is null)
        {
            return new(StatusCodes.Status400BadRequest, "invalid_address", "the request needs an \"address\" (a base58 wallet address)");
        }

        return Pubkey.TryParse(address, out _, out var reason)
            ? null
            : new Error(StatusCodes.Status400BadRequest, "invalid_address", "wallet address: " + reason);
    }

    /// <summary>An error when <paramref name="signature"/> is not a base58 transaction signature of 64 bytes.</summary>
    public static Error? Signature(string signature)
    {
        Span<byte> bytes = stackalloc byte[MaxSignatureLength];
        return signature.Length <= MaxSignatureLength && Base58.TryDecode(signature, bytes, out var written) && written == SignatureBytes
            ? null
            : new Error(StatusCodes.Status400BadRequest, "invalid_signature", $"before '{Truncate(signature)}' is not a transaction signature (base58 of {SignatureBytes} bytes)");
    }

    /// <summary>What a failed call to a wallet grain means for the client.</summary>
    public static Error FromException(Exception exception, string address)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            // Before InvalidOperationException: a disposed channel or host is one.
            ObjectDisposedException => Unavailable(exception, address),
            ArgumentException e => new(StatusCodes.Status400BadRequest, "invalid_request", e.Message.Split(" (Parameter")[0]),
            InvalidOperationException e => new(StatusCodes.Status409Conflict, "wallet_limit", e.Message),
            _ => Unavailable(exception, address),
        };
    }

    private static Error Unavailable(Exception exception, string address) =>
        new(StatusCodes.Status503ServiceUnavailable, "wallet_unavailable", $"wallet {address} could not be reached: {exception.Message}; try again");

    private static string Truncate(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}
