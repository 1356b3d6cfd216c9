namespace AccountGrains.Runtime.Storage;

/// <summary>
/// Latest account state, one row per pubkey. A write replaces a row only when its <c>(slot, write_version)</c> is
/// newer, so duplicates, reordering and redelivery can never move an account backwards.
/// </summary>
public interface IAccountStore
{
    /// <summary>Where the data lives, for logs (never contains a secret).</summary>
    string Describe { get; }

    /// <summary>Creates or upgrades the schema; safe to run at every start and from several processes.</summary>
    Task<int> MigrateAsync(CancellationToken cancellationToken);

    Task<AccountState?> ReadAsync(string pubkey, CancellationToken cancellationToken);

    /// <summary>
    /// Upserts the states in one transaction with as few round trips as the provider allows. States older than the
    /// stored row are ignored. Returns how many rows changed.
    /// </summary>
    Task<int> WriteAsync(IReadOnlyList<AccountState> states, CancellationToken cancellationToken);
}
