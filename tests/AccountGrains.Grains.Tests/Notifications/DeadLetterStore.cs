using System.Collections.Concurrent;
using AccountGrains.Runtime.Storage;

namespace AccountGrains.Grains.Tests.Notifications;

/// <summary>The dead-letter part of <see cref="IWalletStore"/>, in memory; the rest is not what notifications use.</summary>
internal sealed class DeadLetterStore : IWalletStore
{
    private readonly ConcurrentQueue<NotificationDeadLetter> _letters = new();
    private int _failuresLeft;

    public IReadOnlyCollection<NotificationDeadLetter> Letters => _letters;

    /// <summary>The next <paramref name="count"/> dead letters fail to store.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failuresLeft, count);

    public Task AddDeadLetterAsync(NotificationDeadLetter letter, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new InvalidOperationException("database unavailable");
        }

        _letters.Enqueue(letter);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<NotificationDeadLetter>> ReadDeadLettersAsync(string? wallet, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<NotificationDeadLetter>>([.. _letters.Reverse().Where(l => wallet is null || l.Wallet == wallet).Take(limit)]);

    public Task<WalletState?> ReadWalletAsync(string address, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task SaveWalletAsync(WalletState wallet, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> AddActivityAsync(WalletActivityEntry activity, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<WalletActivityEntry>> ReadActivityAsync(string address, ActivityQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<int> PruneActivityAsync(string address, int keep, CancellationToken cancellationToken) => throw new NotSupportedException();
}
