using System.Text.Json;

namespace AccountGrains.Grains.Wallets;

/// <summary>
/// The fields of an activity entry as every outside reader sees them (the <c>/ws</c> and REST activity object, the
/// webhook body), snake_case: <c>signature, slot, block_time, succeeded, error, fee, paid_fee, sol_change,
/// sol_transferred, token_changes[{mint, program, raw_change, decimals, amount, accounts_created, accounts_closed}],
/// counterparties[{address, mint, raw_change}], summary</c>. Written into an object the caller opened.
/// </summary>
public static class WalletActivityJson
{
    public static void WriteProperties(Utf8JsonWriter json, WalletActivityEntry activity)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(activity);
        json.WriteString("signature"u8, activity.Signature);
        json.WriteNumber("slot"u8, activity.Slot);
        if (activity.BlockTime is { } blockTime)
        {
            json.WriteNumber("block_time"u8, blockTime);
        }
        else
        {
            json.WriteNull("block_time"u8);
        }

        json.WriteBoolean("succeeded"u8, activity.Succeeded);
        json.WriteString("error"u8, activity.Error);
        json.WriteNumber("fee"u8, activity.Fee);
        json.WriteBoolean("paid_fee"u8, activity.PaidFee);
        json.WriteNumber("sol_change"u8, activity.SolChange);
        json.WriteNumber("sol_transferred"u8, activity.SolTransferred);
        json.WriteStartArray("token_changes"u8);
        foreach (var change in activity.TokenChanges)
        {
            json.WriteStartObject();
            json.WriteString("mint"u8, change.Mint);
            json.WriteString("program"u8, change.Program);
            json.WriteString("raw_change"u8, change.RawChange);
            json.WriteNumber("decimals"u8, change.Decimals);
            json.WriteString("amount"u8, change.Amount);
            json.WriteNumber("accounts_created"u8, change.AccountsCreated);
            json.WriteNumber("accounts_closed"u8, change.AccountsClosed);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("counterparties"u8);
        foreach (var counterparty in activity.Counterparties)
        {
            json.WriteStartObject();
            json.WriteString("address"u8, counterparty.Address);
            json.WriteString("mint"u8, counterparty.Mint);
            json.WriteString("raw_change"u8, counterparty.RawChange);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("summary"u8, activity.Summary);
    }
}
