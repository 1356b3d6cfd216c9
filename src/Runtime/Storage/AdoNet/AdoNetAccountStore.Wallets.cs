using System.Data.Common;

namespace AccountGrains.Runtime.Storage.AdoNet;

/// <summary>What wallet grains keep, in the same database: the tables of <see cref="WalletTables"/>.</summary>
public abstract partial class AdoNetAccountStore : IWalletStore
{
    public async Task<WalletState?> ReadWalletAsync(string address, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Address(address);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = WalletTables.SelectWallet;
            AddParameter(command, "@address", address);
            var json = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return json is string text ? WalletTables.ReadWallet(text) : null;
        }
    }

    public async Task SaveWalletAsync(WalletState wallet, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Wallet(wallet);
        await ExecuteAsync(
            WalletTables.UpsertWallet,
            command =>
            {
                AddParameter(command, "@address", wallet.Address);
                AddParameter(command, "@state", WalletTables.ToJson(wallet));
                AddParameter(command, "@tracked", wallet.IsTracked);
                AddParameter(command, "@at", _time.GetUtcNow().ToUnixTimeMilliseconds());
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> AddActivityAsync(WalletActivityEntry activity, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Activity(activity);
        return await ExecuteAsync(
            WalletTables.InsertActivity,
            command =>
            {
                AddParameter(command, "@address", activity.Wallet);
                AddParameter(command, "@signature", activity.Signature);
                AddParameter(command, "@slot", unchecked((long)activity.Slot));
                AddParameter(command, "@block_time", (object?)activity.BlockTime ?? DBNull.Value);
                AddParameter(command, "@entry", WalletTables.ToJson(activity));
                AddParameter(command, "@at", _time.GetUtcNow().ToUnixTimeMilliseconds());
            },
            cancellationToken).ConfigureAwait(false) > 0;
    }

    public Task<IReadOnlyList<WalletActivityEntry>> ReadActivityAsync(string address, ActivityQuery query, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Address(address);
        var limit = WalletStoreArguments.PageSize(query);
        var before = WalletStoreArguments.Before(query);
        return QueryAsync(
            before is null ? WalletTables.SelectActivity : WalletTables.SelectActivityBefore,
            command =>
            {
                AddParameter(command, "@address", address);
                AddParameter(command, "@limit", limit);
                if (before is not null)
                {
                    AddParameter(command, "@before", before);
                }
            },
            WalletTables.ReadActivity,
            cancellationToken);
    }

    public Task<int> PruneActivityAsync(string address, int keep, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Address(address);
        WalletStoreArguments.Keep(keep);
        return ExecuteAsync(
            WalletTables.PruneActivity,
            command =>
            {
                AddParameter(command, "@address", address);
                AddParameter(command, "@keep", keep);
            },
            cancellationToken);
    }

    public async Task AddDeadLetterAsync(NotificationDeadLetter letter, CancellationToken cancellationToken)
    {
        WalletStoreArguments.DeadLetter(letter);
        await ExecuteAsync(
            WalletTables.InsertDeadLetter,
            command =>
            {
                AddParameter(command, "@sink", letter.Sink);
                AddParameter(command, "@wallet", letter.Wallet);
                AddParameter(command, "@signature", letter.Signature);
                AddParameter(command, "@attempts", letter.Attempts);
                AddParameter(command, "@last_error", letter.LastError);
                AddParameter(command, "@payload", letter.Payload);
                AddParameter(command, "@failed_at", letter.FailedAt.ToUnixTimeMilliseconds());
            },
            cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<NotificationDeadLetter>> ReadDeadLettersAsync(string? wallet, int limit, CancellationToken cancellationToken)
    {
        WalletStoreArguments.WalletFilter(wallet);
        WalletStoreArguments.Limit(limit);
        return QueryAsync(
            wallet is null ? WalletTables.SelectDeadLetters : WalletTables.SelectDeadLettersOfWallet,
            command =>
            {
                AddParameter(command, "@limit", limit);
                if (wallet is not null)
                {
                    AddParameter(command, "@wallet", wallet);
                }
            },
            WalletTables.ReadDeadLetter,
            cancellationToken);
    }

    private async Task<IReadOnlyList<T>> QueryAsync<T>(
        string sql, Action<DbCommand> bind, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
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
}
