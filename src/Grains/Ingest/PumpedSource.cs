using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace AccountGrains.Grains.Ingest;

/// <summary>
/// The shape of a live source: background work (connections, reconnects, refills) writes updates into a bounded
/// channel, and the reader takes them from it. A full channel makes the writers wait, so a slow consumer slows the
/// upstream instead of filling memory. Ending the enumeration stops the work and waits for it.
/// </summary>
internal static class PumpedSource
{
    public static async IAsyncEnumerable<AccountUpdate> ReadAsync(
        int capacity,
        Func<ChannelWriter<AccountUpdate>, CancellationToken, Task> pump,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var updates = Channel.CreateBounded<AccountUpdate>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false, // stream readers, and gap refills beside them
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => pump(updates.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var update in updates.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await work.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
