using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AccountGrains.Client;

/// <summary>
/// Reads account state from an AccountGrains gateway (REST) and opens WebSocket streams of it, for .NET services
/// that do not host grains.
/// </summary>
public sealed class AccountGrainsClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <param name="gateway">The gateway's base address, e.g. <c>http://127.0.0.1:8080</c>.</param>
    /// <param name="http">An HttpClient to use (its BaseAddress is ignored); one is created when null.</param>
    public AccountGrainsClient(Uri gateway, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        Gateway = gateway;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient();
    }

    public Uri Gateway { get; }

    /// <summary>The account's decoded state, or null when the gateway knows nothing about it.</summary>
    /// <exception cref="AccountGrainsException">The pubkey was invalid or the gateway failed.</exception>
    public async Task<AccountView?> GetAccountAsync(string pubkey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pubkey);
        using var response = await _http.GetAsync(new Uri(Gateway, $"v1/accounts/{Uri.EscapeDataString(pubkey)}"), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorFromAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return await response.Content.ReadFromJsonAsync<AccountView>(cancellationToken).ConfigureAwait(false)
            ?? throw new AccountGrainsException("invalid_response", "the gateway sent an empty body");
    }

    /// <summary>Opens a WebSocket to <c>/ws</c>; subscribe on it and read its messages.</summary>
    public async Task<AccountSocket> ConnectAsync(CancellationToken cancellationToken = default)
    {
        var scheme = Gateway.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        var address = new UriBuilder(Gateway) { Scheme = scheme, Path = Gateway.AbsolutePath.TrimEnd('/') + "/ws" }.Uri;
        return await AccountSocket.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static async Task<AccountGrainsException> ErrorFromAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(body);
            var error = document.RootElement.GetProperty("error");
            return new AccountGrainsException(error.GetProperty("code").GetString() ?? "unknown", error.GetProperty("message").GetString() ?? body);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new AccountGrainsException("http_" + (int)response.StatusCode, $"the gateway answered {(int)response.StatusCode}: {body}");
        }
    }
}
