using Geyser;

using Google.Protobuf;

namespace AccountGrains.Grpc.Tests.TestSupport;

/// <summary>Geyser messages with recognisable contents.</summary>
internal static class Updates
{
    public static SubscribeUpdate Account(ulong slot, int dataLength = 16)
    {
        var data = new byte[dataLength];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(slot + (ulong)i);
        }

        return new SubscribeUpdate
        {
            Filters = { "accounts" },
            Account = new SubscribeUpdateAccount
            {
                Slot = slot,
                Account = new SubscribeUpdateAccountInfo
                {
                    Pubkey = ByteString.CopyFrom(Enumerable.Range(0, 32).Select(i => (byte)(i + (int)(slot % 200))).ToArray()),
                    Lamports = 1_000_000 + slot,
                    Owner = ByteString.CopyFrom(new byte[32]),
                    Data = ByteString.CopyFrom(data),
                    WriteVersion = slot * 10,
                },
            },
        };
    }

    public static SubscribeUpdate ServerPing()
    {
        return new SubscribeUpdate { Filters = { }, Ping = new SubscribeUpdatePing() };
    }

    public static SubscribeRequest Subscription(ulong? fromSlot = null)
    {
        var request = new SubscribeRequest
        {
            Accounts = { ["accounts"] = new SubscribeRequestFilterAccounts { Owner = { "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA" } } },
            Commitment = CommitmentLevel.Confirmed,
        };
        if (fromSlot is { } slot)
        {
            request.FromSlot = slot;
        }

        return request;
    }

    public static SubscribeRequest ClientPing(int id)
    {
        return new SubscribeRequest { Ping = new SubscribeRequestPing { Id = id } };
    }
}
