using System.Text.Json;
using System.Text.Json.Serialization;

namespace AccountGrains.Gateway.Rest;

/// <summary>
/// The ingest over HTTP: <c>GET /v1/ingest</c> (status), <c>GET /v1/ingest/subscriptions</c> (state per upstream
/// subscription), <c>GET /v1/interest</c>, <c>POST /v1/interest</c> (add) and
/// <c>DELETE /v1/interest?id=…</c> (remove). The interest set decides what a live upstream (Yellowstone, RPC
/// websockets) delivers.
/// </summary>
internal static class IngestEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IEndpointRouteBuilder MapIngestEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/ingest", async (IGrainFactory grains, CancellationToken cancellationToken) =>
        {
            var status = await Ingest(grains).GetStatusAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return Results.Json(status, Json);
        });
        endpoints.MapGet("/v1/ingest/subscriptions", async (IGrainFactory grains, CancellationToken cancellationToken) =>
        {
            var subscriptions = await Ingest(grains).GetSubscriptionsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return Results.Json(subscriptions, Json);
        });
        endpoints.MapGet("/v1/interest", async (IGrainFactory grains, CancellationToken cancellationToken) =>
        {
            var interest = await Ingest(grains).GetInterestAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return Results.Json(interest.Select(InterestDocument.From), Json);
        });
        endpoints.MapPost("/v1/interest", async (HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken) =>
        {
            InterestDocument? document;
            try
            {
                document = await JsonSerializer.DeserializeAsync<InterestDocument>(request.Body, Json, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                return AccountEndpoints.ErrorResult(StatusCodes.Status400BadRequest, "invalid_json", e.Message);
            }

            if (document?.ToInterest() is not { } interest)
            {
                return AccountEndpoints.ErrorResult(StatusCodes.Status400BadRequest, "invalid_interest",
                    "expected {\"kind\":\"account\"|\"program\"|\"wallet\",\"key\":\"<base58>\",\"filters\":[{\"data_size\":165},{\"memcmp\":{\"offset\":32,\"bytes\":\"<base58>\"}}]}");
            }

            try
            {
                var added = await Ingest(grains).AddInterestAsync(interest).WaitAsync(cancellationToken).ConfigureAwait(false);
                return Results.Json(new { id = interest.Id, added }, Json, statusCode: added ? StatusCodes.Status201Created : StatusCodes.Status200OK);
            }
            catch (ArgumentException e)
            {
                return AccountEndpoints.ErrorResult(StatusCodes.Status400BadRequest, "invalid_interest", e.Message.Split(" (Parameter")[0]);
            }
            catch (InvalidOperationException e)
            {
                return AccountEndpoints.ErrorResult(StatusCodes.Status409Conflict, "interest_limit", e.Message);
            }
        });
        endpoints.MapDelete("/v1/interest", async (string? id, IGrainFactory grains, CancellationToken cancellationToken) =>
        {
            if (string.IsNullOrEmpty(id))
            {
                return AccountEndpoints.ErrorResult(StatusCodes.Status400BadRequest, "missing_id", "pass the interest's id as ?id=… (URL-encoded)");
            }

            return await Ingest(grains).RemoveInterestAsync(id).WaitAsync(cancellationToken).ConfigureAwait(false)
                ? Results.NoContent()
                : AccountEndpoints.ErrorResult(StatusCodes.Status404NotFound, "interest_not_found", $"no interest with id '{id}'");
        });
        return endpoints;
    }

    private static IGeyserIngestGrain Ingest(IGrainFactory grains) => grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey);

    /// <summary>The JSON shape of an interest.</summary>
    private sealed record InterestDocument(string? Id, string? Kind, string? Key, IReadOnlyList<FilterDocument>? Filters)
    {
        public static InterestDocument From(Interest interest) => new(
            interest.Id,
            interest.KindName,
            interest.Key,
            interest.Filters.Count == 0 ? null : [.. interest.Filters.Select(f => new FilterDocument(f.DataSize, f.MemcmpOffset is { } offset ? new MemcmpDocument(offset, f.MemcmpBytes) : null))]);

        public Interest? ToInterest()
        {
            if (Key is null || !Enum.TryParse<InterestKind>(Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(Kind, out _))
            {
                return null;
            }

            return new Interest(kind, Key, Filters?.Select(f => new AccountFilter { DataSize = f.DataSize, MemcmpOffset = f.Memcmp?.Offset, MemcmpBytes = f.Memcmp?.Bytes }).ToList());
        }
    }

    private sealed record FilterDocument(ulong? DataSize, MemcmpDocument? Memcmp);

    private sealed record MemcmpDocument(ulong? Offset, string? Bytes);
}
