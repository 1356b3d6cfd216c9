using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace AccountGrains.Grains.Ingest;

/// <summary>
/// The shape of a live source: background work (connections, reconnects, refills) writes updates into a bounded
/// channel, and the reader takes them from it. A full channel makes the writers wait, so a slow consumer slows the
/// upstream instead of filling memory. Ending the enumeration stops the work and waits for it.
/// Items other than updates (markers) may travel in order with them: <c>unwrap</c> turns an item into
/// the update to yield, or null for a marker it has taken note of. It runs when the consumer asks for the next
/// update, that is, once everything before the item has been handed on.
/// </summary>
internal static class PumpedSource
{
    public static IAsyncEnumerable<AccountUpdate> ReadAsync(
        int capacity,
        Func<ChannelWriter<AccountUpdate>, CancellationToken, Task> pump,
        CancellationToken cancellationToken) =>
        ReadAsync(capacity, pump, static update => update, cancellationToken);

    public static async IAsyncEnumerable<AccountUpdate> ReadAsync<TItem>(
        int capacity,
        Func<ChannelWriter<TItem>, CancellationToken, Task> pump,
        Func<TItem, AccountUpdate?> unwrap,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var updates = Channel.CreateBounded<TItem>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false, // stream readers, and gap refills beside them
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => pump(updates.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var item in updates.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (unwrap(item) is { } update)
                {
                    yield return update;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await work.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
