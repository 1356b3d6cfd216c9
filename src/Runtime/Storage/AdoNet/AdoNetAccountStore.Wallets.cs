using System.Data.Common;

namespace AccountGrains.Runtime.Storage.AdoNet;

/// <summary>What wallet grains keep, in the same database: the tables of <see cref="WalletTables"/>.</summary>
public abstract partial class AdoNetAccountStore : IWalletStore
{
    public async Task<WalletState?> ReadWalletAsync(string address, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Address(address);
        var states = await QueryAsync(WalletTables.SelectWallet, WalletTables.ReadWallet, cancellationToken, ("@address", address)).ConfigureAwait(false);
        return states.Count == 0 ? null : states[0];
    }

    public Task SaveWalletAsync(WalletState wallet, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Wallet(wallet);
        return ExecuteAsync(WalletTables.UpsertWallet, cancellationToken,
            ("@address", wallet.Address),
            ("@state", WalletTables.ToJson(wallet)),
            ("@tracked", wallet.IsTracked),
            ("@at", _time.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    public async Task<bool> AddActivityAsync(WalletActivityEntry activity, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Activity(activity);
        var inserted = await ExecuteAsync(WalletTables.InsertActivity, cancellationToken,
            ("@address", activity.Wallet),
            ("@signature", activity.Signature),
            ("@slot", unchecked((long)activity.Slot)),
            ("@block_time", (object?)activity.BlockTime ?? DBNull.Value),
            ("@entry", WalletTables.ToJson(activity)),
            ("@at", _time.GetUtcNow().ToUnixTimeMilliseconds())).ConfigureAwait(false);
        return inserted > 0;
    }

    public Task<IReadOnlyList<WalletActivityEntry>> ReadActivityAsync(string address, ActivityQuery query, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Address(address);
        var limit = WalletStoreArguments.PageSize(query);
        return WalletStoreArguments.Before(query) is { } before
            ? QueryAsync(WalletTables.SelectActivityBefore, WalletTables.ReadActivity, cancellationToken, ("@address", address), ("@before", before), ("@limit", limit))
            : QueryAsync(WalletTables.SelectActivity, WalletTables.ReadActivity, cancellationToken, ("@address", address), ("@limit", limit));
    }

    public Task<int> PruneActivityAsync(string address, int keep, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Address(address);
        WalletStoreArguments.Keep(keep);
        return ExecuteAsync(WalletTables.PruneActivity, cancellationToken, ("@address", address), ("@keep", keep));
    }

    public Task AddDeadLetterAsync(NotificationDeadLetter letter, CancellationToken cancellationToken)
    {
        WalletStoreArguments.DeadLetter(letter);
        return ExecuteAsync(WalletTables.InsertDeadLetter, cancellationToken,
            ("@sink", letter.Sink),
            ("@wallet", letter.Wallet),
            ("@signature", letter.Signature),
            ("@attempts", letter.Attempts),
            ("@last_error", letter.LastError),
            ("@payload", letter.Payload),
            ("@failed_at", letter.FailedAt.ToUnixTimeMilliseconds()));
    }

    public Task<IReadOnlyList<NotificationDeadLetter>> ReadDeadLettersAsync(string? wallet, int limit, CancellationToken cancellationToken)
    {
        WalletStoreArguments.WalletFilter(wallet);
        WalletStoreArguments.Limit(limit);
        return wallet is null
            ? QueryAsync(WalletTables.SelectDeadLetters, WalletTables.ReadDeadLetter, cancellationToken, ("@limit", limit))
            : QueryAsync(WalletTables.SelectDeadLettersOfWallet, WalletTables.ReadDeadLetter, cancellationToken, ("@wallet", wallet), ("@limit", limit));
    }

    private Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        ExecuteAsync(sql, command => AddParameters(command, parameters), cancellationToken);

    private async Task<IReadOnlyList<T>> QueryAsync<T>(
        string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var rows = new List<T>();
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            AddParameters(command, parameters);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(read(reader));
                }
            }
        }

        return rows;
    }

    private static void AddParameters(DbCommand command, (string Name, object Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            AddParameter(command, name, value);
        }
    }
}
