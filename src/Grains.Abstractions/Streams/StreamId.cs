namespace AccountGrains;

/// <summary>
/// A stream of events: <c>namespace.key</c>, e.g. <c>account.&lt;pubkey&gt;</c> or <c>program.&lt;owner&gt;</c>.
/// In a cluster the string form is the routing key on the events exchange.
/// </summary>
public readonly record struct StreamId(string Namespace, string Key)
{
    public const string Accounts = "account";
    public const string Programs = "program";
    public const string Wallets = "wallet";

    public static StreamId ForAccount(string pubkey) => new(Accounts, pubkey);

    public static StreamId ForProgram(string owner) => new(Programs, owner);

    public static StreamId ForWallet(string address) => new(Wallets, address);

    public override string ToString() => $"{Namespace}.{Key}";
}
