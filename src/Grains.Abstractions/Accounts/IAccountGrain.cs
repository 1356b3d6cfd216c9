namespace AccountGrains;

/// <summary>Where a snapshot came from: an activation's memory, storage, or a live update.</summary>
public enum SnapshotSource
{
    Cache,
    Database,
    Realtime,
}

/// <summary>The state of an account at a moment, or <c>null</c> state when nothing is known about it yet.</summary>
public sealed record AccountSnapshot(string Pubkey, AccountState? State, SnapshotSource Source);

/// <summary>What happened to an update handed to an account grain.</summary>
public enum ApplyOutcome
{
    Applied,
    Duplicate,
    Stale,
}

/// <summary>The grain of one Solana account, keyed by its base58 pubkey.</summary>
[GrainType("account")]
public interface IAccountGrain : IGrain
{
    /// <summary>Applies the update if its <c>(slot, write_version)</c> is newer than the state's.</summary>
    [OneWay]
    Task ApplyAsync(AccountUpdate update);

    /// <summary>The same as <see cref="ApplyAsync"/>, waiting for the turn and saying what it did.</summary>
    Task<ApplyOutcome> ApplyAndReportAsync(AccountUpdate update);

    Task<AccountSnapshot> GetSnapshotAsync();
}
