using System.Globalization;
using System.Text.Json;
using AccountGrains.Gateway.Native;
using AccountGrains.Gateway.Wallets;

namespace AccountGrains.Gateway.Rest;

/// <summary>
/// Wallets over HTTP: <c>POST /v1/wallets/{address}</c> (track), <c>DELETE /v1/wallets/{address}</c> (untrack),
/// <c>GET /v1/wallets</c> (the tracked ones), <c>GET /v1/wallets/{address}</c> and
/// <c>GET /v1/wallets/{address}/activity</c> and <c>GET /v1/wallets/{address}/dead-letters</c>. Bodies are the objects of the <c>/ws</c> protocol, written by
/// <see cref="NativeMessages"/>; errors are <c>{"error":{"code","message"}}</c> with the codes of the socket.
/// </summary>
internal static class WalletEndpoints
{
    /// <summary>The tracker of a POST that names none.</summary>
    public const string DefaultTracker = "api";

    public const int DefaultActivityLimit = 50;

    public static IEndpointRouteBuilder MapWalletEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/wallets/{address}", TrackAsync);
        endpoints.MapDelete("/v1/wallets/{address}", async (string address, string? tracker, IGrainFactory grains, UpstreamStatus upstream, CancellationToken cancellationToken) =>
        {
            if (WalletErrors.Address(address) is { } invalid)
            {
                return Error(invalid);
            }

            var wallet = grains.Get<IWalletGrain>(address);
            return await CallAsync(address, async () =>
            {
                if (!IsKnown(await wallet.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false)))
                {
                    return NotFound(address);
                }

                var state = await wallet.UntrackAsync(string.IsNullOrEmpty(tracker) ? WalletTrackRequest.AllTrackers : tracker).WaitAsync(cancellationToken).ConfigureAwait(false);
                return await WalletAsync(state, upstream, StatusCodes.Status200OK, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        });
        endpoints.MapGet("/v1/wallets", async (TrackedWallets tracked, CancellationToken cancellationToken) =>
        {
            try
            {
                var (wallets, upstreamUp) = await tracked.ListAsync(cancellationToken).ConfigureAwait(false);
                return AccountEndpoints.JsonBody(NativeMessages.WalletList(wallets, upstreamUp));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return AccountEndpoints.ErrorResult(StatusCodes.Status503ServiceUnavailable, "wallet_unavailable", $"the tracked wallets could not be read: {e.Message}; try again");
            }
        });
        endpoints.MapGet("/v1/wallets/{address}", async (string address, IGrainFactory grains, UpstreamStatus upstream, CancellationToken cancellationToken) =>
        {
            if (WalletErrors.Address(address) is { } invalid)
            {
                return Error(invalid);
            }

            return await CallAsync(address, async () =>
            {
                var state = await grains.Get<IWalletGrain>(address).GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                return IsKnown(state) ? await WalletAsync(state, upstream, StatusCodes.Status200OK, cancellationToken).ConfigureAwait(false) : NotFound(address);
            }).ConfigureAwait(false);
        });
        endpoints.MapGet("/v1/wallets/{address}/activity", ActivityAsync);
        endpoints.MapGet("/v1/wallets/{address}/dead-letters", DeadLettersAsync);
        return endpoints;
    }

    /// <summary>201 when the wallet was not tracked before, 200 when it was (another tracker, or this one again).</summary>
    private static async Task<IResult> TrackAsync(string address, HttpRequest request, IGrainFactory grains, UpstreamStatus upstream, CancellationToken cancellationToken)
    {
        if (WalletErrors.Address(address) is { } invalid)
        {
            return Error(invalid);
        }

        var (track, bodyError) = await ReadTrackBodyAsync(request, cancellationToken).ConfigureAwait(false);
        if (track is null)
        {
            return AccountEndpoints.ErrorResult(StatusCodes.Status400BadRequest, "invalid_request", bodyError!);
        }

        var wallet = grains.Get<IWalletGrain>(address);
        return await CallAsync(address, async () =>
        {
            var wasTracked = (await wallet.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).IsTracked;
            var state = await wallet.TrackAsync(track).WaitAsync(cancellationToken).ConfigureAwait(false);
            return await WalletAsync(state, upstream, wasTracked ? StatusCodes.Status200OK : StatusCodes.Status201Created, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private static async Task<IResult> ActivityAsync(string address, string? before, string? limit, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (WalletErrors.Address(address) is { } invalid)
        {
            return Error(invalid);
        }

        if (ReadLimit(limit) is not { } pageSize)
        {
            return InvalidLimit(limit);
        }

        if (!string.IsNullOrEmpty(before) && WalletErrors.Signature(before) is { } badSignature)
        {
            return Error(badSignature);
        }

        return await CallAsync(address, async () =>
        {
            var page = await grains.Get<IWalletGrain>(address).GetActivityAsync(new ActivityQuery(before, pageSize)).WaitAsync(cancellationToken).ConfigureAwait(false);

            // A full page may have more behind it; a short one is the end.
            var nextBefore = page.Count == pageSize ? page[^1].Signature : null;
            return AccountEndpoints.JsonBody(NativeMessages.ActivityPage(page, nextBefore));
        }).ConfigureAwait(false);
    }

    /// <summary>Notifications of the wallet given up on, newest first: <c>{"dead_letters":[…]}</c>.</summary>
    private static async Task<IResult> DeadLettersAsync(string address, string? limit, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (WalletErrors.Address(address) is { } invalid)
        {
            return Error(invalid);
        }

        if (ReadLimit(limit) is not { } pageSize)
        {
            return InvalidLimit(limit);
        }

        return await CallAsync(address, async () =>
        {
            var letters = await grains.Get<IWalletGrain>(address).GetDeadLettersAsync(pageSize).WaitAsync(cancellationToken).ConfigureAwait(false);
            return AccountEndpoints.JsonBody(NativeMessages.DeadLetters(letters));
        }).ConfigureAwait(false);
    }

    /// <summary>The page size asked for (default <see cref="DefaultActivityLimit"/>), or null when it is not 1 to <see cref="ActivityQuery.MaxLimit"/>.</summary>
    private static int? ReadLimit(string? limit) =>
        limit is null ? DefaultActivityLimit
        : int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var pageSize) && pageSize is >= 1 and <= ActivityQuery.MaxLimit ? pageSize
        : null;

    private static IResult InvalidLimit(string? limit) =>
        AccountEndpoints.ErrorResult(StatusCodes.Status400BadRequest, "invalid_limit", $"limit must be a whole number from 1 to {ActivityQuery.MaxLimit} (got '{limit}')");

    /// <summary>The optional body of a POST: <c>{"tracker":"…","sinks":[…]}</c>; null and the reason when it is not that.</summary>
    private static async Task<(WalletTrackRequest? Request, string? Error)> ReadTrackBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        const string expected = "the body is optional; when given it is {\"tracker\":\"name\",\"sinks\":[{\"kind\":\"webhook\"|\"discord\",\"url\":\"https://…\",\"secret\":\"optional\"}]}";
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return (new WalletTrackRequest(DefaultTracker, []), null);
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, expected);
            }

            var tracker = DefaultTracker;
            if (root.TryGetProperty("tracker", out var trackerElement) && trackerElement.ValueKind != JsonValueKind.Null)
            {
                if (trackerElement.ValueKind != JsonValueKind.String)
                {
                    return (null, expected);
                }

                tracker = trackerElement.GetString()!;
            }

            IReadOnlyList<NotificationSink> sinks = [];
            if (root.TryGetProperty("sinks", out var sinksElement) && sinksElement.ValueKind != JsonValueKind.Null
                && !NativeRequest.TryReadSinks(sinksElement, out sinks))
            {
                return (null, expected);
            }

            return (new WalletTrackRequest(tracker, sinks), null);
        }
        catch (JsonException e)
        {
            return (null, $"the body is not valid JSON: {e.Message}; {expected}");
        }
    }

    /// <summary>Runs grain calls; their failures become the wallet errors (<see cref="WalletErrors.FromException"/>).</summary>
    private static async Task<IResult> CallAsync(string address, Func<Task<IResult>> calls)
    {
        try
        {
            return await calls().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Error(WalletErrors.FromException(e, address));
        }
    }

    private static async Task<IResult> WalletAsync(WalletState state, UpstreamStatus upstream, int status, CancellationToken cancellationToken)
    {
        var upstreamUp = await upstream.ReadAsync(cancellationToken).ConfigureAwait(false);
        return AccountEndpoints.JsonBody(NativeMessages.WalletDocument(state, state.StatusWith(upstreamUp)), status);
    }

    /// <summary>
    /// Something is known of the wallet: it is tracked, or was and left a balance, holdings, sinks or activity. (The
    /// grain answers for any valid address; one never tracked has none of these.)
    /// </summary>
    private static bool IsKnown(WalletState state) =>
        state.IsTracked || state.Lamports is not null || state.ActivityCount > 0 || state.Holdings.Count > 0 || state.Sinks.Count > 0;

    private static IResult NotFound(string address) =>
        AccountEndpoints.ErrorResult(StatusCodes.Status404NotFound, "wallet_not_found", $"wallet {address} was never tracked; track it with POST /v1/wallets/{address}");

    private static IResult Error(WalletErrors.Error error) => AccountEndpoints.ErrorResult(error.Status, error.Code, error.Message);
}
