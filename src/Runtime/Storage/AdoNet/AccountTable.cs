using System.Data.Common;
using System.Text;

namespace AccountGrains.Runtime.Storage.AdoNet;

/// <summary>
/// The <c>accounts</c> table: column list, the guarded multi-row upsert, and row mapping. u64 values are stored as
/// their 64-bit two's complement (slots, write versions and lamports stay below 2^63; rent_epoch u64::MAX reads
/// back exactly).
/// </summary>
/// <remarks>
/// The guard (<see cref="UpsertGuard"/>): a write replaces a row only when its <c>(slot, write_version)</c> is newer
/// <em>and</em> its lease epoch is not lower than the row's. The token rule keeps an account from moving backwards;
/// the epoch rule fences a stale owner: once a newer owner (higher epoch) has written a row, the old owner's writes
/// to it are refused even when they carry a newer token, since the new owner alone decides what is newest now (it
/// resumes from the upstream and writes again). Writes of the same epoch proceed by token alone. Epochs therefore
/// never go down for one database: a store at epoch 0 (embedded) cannot overwrite rows a cluster wrote at epoch 1+.
/// </remarks>
internal static class AccountTable
{
    public const int ColumnCount = 16;

    public const string Columns =
        "pubkey, owner, lamports, data, executable, rent_epoch, slot, write_version, txn_signature, " +
        "program, account_type, fields_json, decode_error, created_at_ms, epoch, updated_at_ms";

    public const string SelectByPubkey = "SELECT " + Columns + " FROM accounts WHERE pubkey = @pubkey";

    /// <summary>When an incoming row (<c>excluded</c>) may replace the stored one (see the remarks on the class).</summary>
    public const string UpsertGuard =
        "(excluded.slot, excluded.write_version) > (accounts.slot, accounts.write_version) AND excluded.epoch >= accounts.epoch";

    /// <summary>The upsert's conflict clause, guarded; also for providers that build their own <c>INSERT</c>.</summary>
    public const string OnConflict =
        " ON CONFLICT (pubkey) DO UPDATE SET owner = excluded.owner, lamports = excluded.lamports, data = excluded.data, " +
        "executable = excluded.executable, rent_epoch = excluded.rent_epoch, slot = excluded.slot, " +
        "write_version = excluded.write_version, txn_signature = excluded.txn_signature, program = excluded.program, " +
        "account_type = excluded.account_type, fields_json = excluded.fields_json, decode_error = excluded.decode_error, " +
        "created_at_ms = excluded.created_at_ms, epoch = excluded.epoch, updated_at_ms = excluded.updated_at_ms " +
        "WHERE " + UpsertGuard;

    /// <summary>The upsert of <paramref name="rows"/> rows, parameters named <c>@p{row}_{column}</c>.</summary>
    public static string Upsert(int rows)
    {
        var sql = new StringBuilder("INSERT INTO accounts (").Append(Columns).Append(") VALUES ");
        for (var row = 0; row < rows; row++)
        {
            sql.Append(row == 0 ? "(" : ",(");
            for (var column = 0; column < ColumnCount; column++)
            {
                sql.Append(column == 0 ? "@p" : ",@p").Append(row).Append('_').Append(column);
            }

            sql.Append(')');
        }

        return sql.Append(OnConflict).ToString();
    }

    /// <summary>Adds the <paramref name="rows"/> x <see cref="ColumnCount"/> parameters of <see cref="Upsert"/>.</summary>
    public static void AddParameters(DbCommand command, int rows)
    {
        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < ColumnCount; column++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"@p{row}_{column}");
                command.Parameters.Add(parameter);
            }
        }
    }

    /// <summary>Sets row <paramref name="row"/>'s parameters; the command can be executed again with new values.</summary>
    public static void SetValues(DbCommand command, int row, AccountState state, long epoch, long nowMs)
    {
        var parameters = command.Parameters;
        var first = row * ColumnCount;
        parameters[first].Value = state.Pubkey;
        parameters[first + 1].Value = state.Owner;
        parameters[first + 2].Value = unchecked((long)state.Lamports);
        parameters[first + 3].Value = state.Data;
        parameters[first + 4].Value = state.Executable;
        parameters[first + 5].Value = unchecked((long)state.RentEpoch);
        parameters[first + 6].Value = unchecked((long)state.Slot);
        parameters[first + 7].Value = unchecked((long)state.WriteVersion);
        parameters[first + 8].Value = (object?)state.TxnSignature ?? DBNull.Value;
        parameters[first + 9].Value = state.Decoded.Program;
        parameters[first + 10].Value = state.Decoded.AccountType;
        parameters[first + 11].Value = state.Decoded.FieldsJson;
        parameters[first + 12].Value = (object?)state.Decoded.Error ?? DBNull.Value;
        parameters[first + 13].Value = state.CreatedAt.ToUnixTimeMilliseconds();
        parameters[first + 14].Value = epoch;
        parameters[first + 15].Value = nowMs;
    }

    public static AccountState Read(DbDataReader reader)
    {
        var decoded = new DecodedAccount(
            reader.GetString(9),
            reader.GetString(10),
            (byte[])reader.GetValue(11),
            reader.IsDBNull(12) ? null : reader.GetString(12));
        return new AccountState(
            Pubkey: reader.GetString(0),
            Owner: reader.GetString(1),
            Lamports: unchecked((ulong)reader.GetInt64(2)),
            Data: (byte[])reader.GetValue(3),
            Executable: reader.GetBoolean(4),
            RentEpoch: unchecked((ulong)reader.GetInt64(5)),
            Slot: unchecked((ulong)reader.GetInt64(6)),
            WriteVersion: unchecked((ulong)reader.GetInt64(7)),
            TxnSignature: reader.IsDBNull(8) ? null : reader.GetString(8),
            Decoded: decoded,
            CreatedAt: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(13)));
    }
}
