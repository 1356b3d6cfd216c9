using System.Data.Common;

namespace AccountGrains.Runtime.Storage.AdoNet;

/// <summary>
/// The <c>account_history</c> table: one row per state that changed an account. Its key is
/// <c>(pubkey, slot, write_version)</c>: a state changes its account at most once (the upsert guard refuses the same
/// token twice), so the key never collides. <c>written_at_ms</c> is what retention prunes by.
/// </summary>
internal static class AccountHistoryTable
{
    public const string Columns = "pubkey, slot, write_version, owner, lamports, data, txn_signature, written_at_ms";

    /// <summary>Inserts the history row of one state; parameters from <see cref="AddParameters"/>.</summary>
    public const string InsertOne =
        "INSERT INTO account_history (" + Columns + ") VALUES (@h0, @h1, @h2, @h3, @h4, @h5, @h6, @h7)";

    public const string SelectByPubkey =
        "SELECT " + Columns + " FROM account_history WHERE pubkey = @pubkey ORDER BY slot DESC, write_version DESC LIMIT @limit";

    public const string Prune = "DELETE FROM account_history WHERE written_at_ms < @before";

    /// <summary>Adds the parameters of <see cref="InsertOne"/>.</summary>
    public static void AddParameters(DbCommand command)
    {
        for (var column = 0; column < 8; column++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@h" + (char)('0' + column);
            command.Parameters.Add(parameter);
        }
    }

    /// <summary>Sets the parameters of <see cref="InsertOne"/>; the command can be executed again with new values.</summary>
    public static void SetValues(DbCommand command, AccountState state, long writtenAtMs)
    {
        var parameters = command.Parameters;
        parameters[0].Value = state.Pubkey;
        parameters[1].Value = unchecked((long)state.Slot);
        parameters[2].Value = unchecked((long)state.WriteVersion);
        parameters[3].Value = state.Owner;
        parameters[4].Value = unchecked((long)state.Lamports);
        parameters[5].Value = state.Data;
        parameters[6].Value = (object?)state.TxnSignature ?? DBNull.Value;
        parameters[7].Value = writtenAtMs;
    }

    public static AccountHistoryEntry Read(DbDataReader reader) =>
        new(
            Pubkey: reader.GetString(0),
            Slot: unchecked((ulong)reader.GetInt64(1)),
            WriteVersion: unchecked((ulong)reader.GetInt64(2)),
            Owner: reader.GetString(3),
            Lamports: unchecked((ulong)reader.GetInt64(4)),
            Data: (byte[])reader.GetValue(5),
            TxnSignature: reader.IsDBNull(6) ? null : reader.GetString(6),
            WrittenAt: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)));
}
