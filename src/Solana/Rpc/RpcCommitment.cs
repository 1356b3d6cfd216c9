namespace AccountGrains.Solana.Rpc;

/// <summary>How settled the state a request reads must be.</summary>
public enum RpcCommitment
{
    /// <summary>Send no commitment: the server uses its own default (finalized on a stock node).</summary>
    Default,

    /// <summary>The node's most recent block; may be rolled back.</summary>
    Processed,

    /// <summary>Voted on by a supermajority of the cluster.</summary>
    Confirmed,

    /// <summary>Rooted: will not be rolled back.</summary>
    Finalized,
}
