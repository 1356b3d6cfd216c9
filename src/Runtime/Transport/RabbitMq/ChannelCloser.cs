using RabbitMQ.Client;

namespace AccountGrains.Runtime.Transport.RabbitMq;

internal static class ChannelCloser
{
    /// <summary>Closes and disposes a channel that may already be closed or whose connection is gone.</summary>
    public static async Task CloseQuietlyAsync(IChannel channel)
    {
        try
        {
            if (channel.IsOpen)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await channel.CloseAsync(timeout.Token).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // a channel being thrown away: whatever closing it throws changes nothing
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        try
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
