using System.Data.Common;
using System.Text;

namespace AccountGrains.Runtime.Storage.AdoNet;

/// <summary>
/// The <c>accounts</c> table: column list, the guarded multi-row upsert, and row mapping. u64 values are stored as
/// their 64-bit two's complement (slots, write versions and lamports stay below 2^63; rent_epoch u64::MAX reads
/// back exactly).
/// </summary>
internal static class AccountTable
{
    public const int ColumnCount = 16;

    public const string Columns =
        "pubkey, owner, lamports, data, executable, rent_epoch, slot, write_version, txn_signature, " +
        "program, account_type, fields_json, decode_error, created_at_ms, epoch, updated_at_ms";

    public const string SelectByPubkey = "SELECT " + Columns + " FROM accounts WHERE pubkey = @pubkey";

    private const string UpsertTail =
        " ON CONFLICT (pubkey) DO UPDATE SET owner = excluded.owner, lamports = excluded.lamports, data = excluded.data, " +
        "executable = excluded.executable, rent_epoch = excluded.rent_epoch, slot = excluded.slot, " +
        "write_version = excluded.write_version, txn_signature = excluded.txn_signature, program = excluded.program, " +
        "account_type = excluded.account_type, fields_json = excluded.fields_json, decode_error = excluded.decode_error, " +
        "created_at_ms = excluded.created_at_ms, epoch = excluded.epoch, updated_at_ms = excluded.updated_at_ms " +
        "WHERE (excluded.slot, excluded.write_version) > (accounts.slot, accounts.write_version)";

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

        return sql.Append(UpsertTail).ToString();
    }

    public static void Bind(DbCommand command, int row, AccountState state, long epoch, long nowMs)
    {
        Add(command, row, 0, state.Pubkey);
        Add(command, row, 1, state.Owner);
        Add(command, row, 2, unchecked((long)state.Lamports));
        Add(command, row, 3, state.Data);
        Add(command, row, 4, state.Executable);
        Add(command, row, 5, unchecked((long)state.RentEpoch));
        Add(command, row, 6, unchecked((long)state.Slot));
        Add(command, row, 7, unchecked((long)state.WriteVersion));
        Add(command, row, 8, (object?)state.TxnSignature ?? DBNull.Value);
        Add(command, row, 9, state.Decoded.Program);
        Add(command, row, 10, state.Decoded.AccountType);
        Add(command, row, 11, state.Decoded.FieldsJson);
        Add(command, row, 12, (object?)state.Decoded.Error ?? DBNull.Value);
        Add(command, row, 13, state.CreatedAt.ToUnixTimeMilliseconds());
        Add(command, row, 14, epoch);
        Add(command, row, 15, nowMs);
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

    private static void Add(DbCommand command, int row, int column, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"@p{row}_{column}");
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
