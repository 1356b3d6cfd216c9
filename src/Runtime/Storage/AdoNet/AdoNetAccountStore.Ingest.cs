using System.Data.Common;
using System.Globalization;

namespace AccountGrains.Runtime.Storage.AdoNet;

/// <summary>The ingest's state in the same database: tables <c>interest</c> and <c>ingest_checkpoints</c>.</summary>
public abstract partial class AdoNetAccountStore : IIngestStateStore
{
    public async Task<IReadOnlyList<Interest>> ReadInterestAsync(CancellationToken cancellationToken)
    {
        var interests = new List<Interest>();
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT kind, key, filters FROM interest ORDER BY id";
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    interests.Add(ReadInterest(reader));
                }
            }
        }

        return interests;
    }

    public async Task SaveInterestAsync(Interest interest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interest);
        await ExecuteAsync(
            "INSERT INTO interest (id, kind, key, filters, added_at_ms) VALUES (@id, @kind, @key, @filters, @at) ON CONFLICT (id) DO NOTHING",
            command =>
            {
                AddParameter(command, "@id", interest.Id);
                AddParameter(command, "@kind", interest.KindName);
                AddParameter(command, "@key", interest.Key);
                AddParameter(command, "@filters", string.Join('&', interest.Filters));
                AddParameter(command, "@at", _time.GetUtcNow().ToUnixTimeMilliseconds());
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteInterestAsync(string interestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interestId);
        return await ExecuteAsync("DELETE FROM interest WHERE id = @id", command => AddParameter(command, "@id", interestId), cancellationToken)
            .ConfigureAwait(false) > 0;
    }

    public async Task<ulong?> ReadCheckpointAsync(string source, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT slot FROM ingest_checkpoints WHERE source = @source";
            AddParameter(command, "@source", source);
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? null : unchecked((ulong)Convert.ToInt64(value, CultureInfo.InvariantCulture));
        }
    }

    public async Task SaveCheckpointAsync(string source, ulong slot, CancellationToken cancellationToken)
    {
        await ExecuteAsync(
            "INSERT INTO ingest_checkpoints (source, slot, updated_at_ms) VALUES (@source, @slot, @at) " +
            "ON CONFLICT (source) DO UPDATE SET slot = excluded.slot, updated_at_ms = excluded.updated_at_ms",
            command =>
            {
                AddParameter(command, "@source", source);
                AddParameter(command, "@slot", unchecked((long)slot));
                AddParameter(command, "@at", _time.GetUtcNow().ToUnixTimeMilliseconds());
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static Interest ReadInterest(DbDataReader reader)
    {
        var kind = Enum.Parse<InterestKind>(reader.GetString(0), ignoreCase: true);
        var filters = reader.GetString(2);
        return new Interest(kind, reader.GetString(1), filters.Length == 0 ? null : [.. filters.Split('&').Select(AccountFilter.Parse)]);
    }

    private async Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
