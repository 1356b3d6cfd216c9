namespace AccountGrains.Solana.Transactions;

/// <summary>
/// A transaction from Yellowstone or RPC does not have the shape <see cref="TransactionFacts"/> needs (no meta,
/// balance arrays that do not match the account keys, a key that is not 32 bytes…); the message says what is wrong.
/// </summary>
public sealed class MalformedTransactionException : Exception
{
    public MalformedTransactionException()
    {
    }

    public MalformedTransactionException(string message)
        : base(message)
    {
    }

    public MalformedTransactionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
