using System.Text.Json;

namespace AccountGrains.Grains.Ingest.Replay;

/// <summary>Writes account updates as replay lines (the format of samples/README.md), which <see cref="ReplayLineParser"/> reads back.</summary>
public static class ReplayLineWriter
{
    /// <summary>One line, without the trailing newline.</summary>
    public static void Write(Utf8JsonWriter json, AccountUpdate update)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(update);
        json.WriteStartObject();
        json.WriteString("pubkey", update.Pubkey);
        json.WriteString("owner", update.Owner);
        json.WriteNumber("lamports", update.Lamports);
        json.WriteBase64String("data", update.Data);
        json.WriteBoolean("executable", update.Executable);
        json.WriteNumber("rent_epoch", update.RentEpoch);
        json.WriteNumber("slot", update.Slot);
        json.WriteNumber("write_version", update.WriteVersion);
        if (update.TxnSignature is { } signature)
        {
            json.WriteString("txn_signature", signature);
        }

        json.WriteEndObject();
    }

    /// <summary>The line as bytes, without the trailing newline.</summary>
    public static byte[] ToLine(AccountUpdate update)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, update);
        }

        return buffer.ToArray();
    }
}
