using System.Runtime.CompilerServices;

using AccountGrains.Grains.Ingest;
using AccountGrains.Solana;
using AccountGrains.Solana.Rpc;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Rpc;

/// <summary>
/// Reads an interest set's current state over Solana RPC: accounts and wallets with getMultipleAccounts (batched by
/// 100), programs with getProgramAccounts and their filters, wallets' token accounts with getTokenAccountsByOwner for
/// SPL Token and Token-2022. An entry that fails is logged and skipped; the others are still read.
/// </summary>
public sealed class RpcInterestReader(
    SolanaRpcClient rpc,
    IOptions<RpcEndpointOptions> options,
    ILogger<RpcInterestReader> logger,
    TimeProvider? time = null) : IInterestReader
{
    private static readonly string[] TokenPrograms = [WellKnownPrograms.SplToken.ToString(), WellKnownPrograms.Token2022.ToString()];
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Describe => $"solana rpc {options.Value.DescribeUrl()}";

    public async IAsyncEnumerable<AccountUpdate> ReadAsync(IReadOnlyList<Interest> interest, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interest);
        var commitment = options.Value.Commitment;
        var keys = interest.Where(i => i.Kind is InterestKind.Account or InterestKind.Wallet).Select(i => i.Key).Distinct(StringComparer.Ordinal).ToList();
        // In chunks of 100 keys, each on its own: one failing request costs its chunk, not every account.
        foreach (var chunk in keys.Chunk(100))
        {
            var accounts = await TryAsync("accounts", () => rpc.GetMultipleAccountsAsync(chunk, commitment, cancellationToken)).ConfigureAwait(false);
            for (var i = 0; accounts is not null && i < chunk.Length; i++)
            {
                yield return RpcConversions.ToUpdate(chunk[i], accounts.Value[i], accounts.ContextSlot, _time.GetUtcNow());
            }
        }

        foreach (var entry in interest)
        {
            var lists = entry.Kind switch
            {
                InterestKind.Program => [() => rpc.GetProgramAccountsAsync(entry.Key, [.. entry.Filters.Select(RpcConversions.ToRpc)], commitment, cancellationToken)],
                InterestKind.Wallet => TokenPrograms.Select<string, Func<Task<RpcResult<IReadOnlyList<RpcKeyedAccount>>>>>(
                    program => () => rpc.GetTokenAccountsByOwnerAsync(entry.Key, program, commitment, cancellationToken)).ToArray(),
                _ => Array.Empty<Func<Task<RpcResult<IReadOnlyList<RpcKeyedAccount>>>>>(),
            };
            foreach (var list in lists)
            {
                var result = await TryAsync(entry.Id, list).ConfigureAwait(false);
                foreach (var keyed in result?.Value ?? [])
                {
                    yield return RpcConversions.ToUpdate(keyed.Pubkey, keyed.Account, result!.ContextSlot, _time.GetUtcNow());
                }
            }
        }
    }

    private async Task<T?> TryAsync<T>(string what, Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RpcLog.ReadFailed(logger, what, e);
            return null;
        }
    }
}
