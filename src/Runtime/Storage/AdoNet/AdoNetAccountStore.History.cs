namespace AccountGrains.Runtime.Storage.AdoNet;

/// <summary>The update history in table <c>account_history</c>, filled by <see cref="WriteAsync"/> when <see cref="KeepsHistory"/>.</summary>
public abstract partial class AdoNetAccountStore : IAccountHistoryStore
{
    public async Task<IReadOnlyList<AccountHistoryEntry>> ReadHistoryAsync(string pubkey, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pubkey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var entries = new List<AccountHistoryEntry>();
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = AccountHistoryTable.SelectByPubkey;
            AddParameter(command, "@pubkey", pubkey);
            AddParameter(command, "@limit", limit);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    entries.Add(AccountHistoryTable.Read(reader));
                }
            }
        }

        return entries;
    }

    public Task<int> PruneHistoryAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        ExecuteAsync(AccountHistoryTable.Prune, command => AddParameter(command, "@before", olderThan.ToUnixTimeMilliseconds()), cancellationToken);
}
