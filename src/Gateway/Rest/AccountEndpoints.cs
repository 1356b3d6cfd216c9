using AccountGrains.Gateway.Native;
using AccountGrains.Solana;

namespace AccountGrains.Gateway.Rest;

/// <summary><c>GET /v1/accounts/{pubkey}</c>: the decoded state from the account's grain.</summary>
internal static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/accounts/{pubkey}", async (string pubkey, IGrainFactory grains, CancellationToken cancellationToken) =>
        {
            if (!Pubkey.TryParse(pubkey, out _, out var reason))
            {
                return ErrorResult(StatusCodes.Status400BadRequest, "invalid_pubkey", reason ?? "invalid pubkey");
            }

            var snapshot = await grains.Get<IAccountGrain>(pubkey).GetSnapshotAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (snapshot.State is null)
            {
                return ErrorResult(StatusCodes.Status404NotFound, "account_not_found", $"no state is known for account {pubkey}");
            }

            return JsonBody(NativeMessages.Document(json => NativeMessages.WriteAccount(json, snapshot.State)));
        });
        return endpoints;
    }

    /// <summary>A body written by <see cref="NativeMessages"/>, the same bytes the socket would carry.</summary>
    public static IResult JsonBody(byte[] utf8Json, int status = StatusCodes.Status200OK) =>
        Results.Text(utf8Json, "application/json", status);

    public static IResult ErrorResult(int status, string code, string message) =>
        Results.Json(new { error = new { code, message } }, statusCode: status);
}

