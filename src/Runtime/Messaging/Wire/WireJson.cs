using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace AccountGrains.Runtime.Messaging.Wire;

/// <summary>
/// The JSON of grain arguments, results and events: source-generated (no reflection at run time, AOT-friendly),
/// strict on read (a missing constructor parameter or a null where the contract says non-null is an error), enums
/// by name so reordering an enum never changes meaning. Properties computed from others (<c>Token</c>,
/// <c>IsClosed</c>, <c>Interest.Id</c>) are left off the wire and recomputed by the receiver.
/// </summary>
internal static class WireJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    public static JsonTypeInfo TypeInfo(Type type, string usedBy) =>
        Options.TryGetTypeInfo(type, out var info)
            ? info
            : throw new NotSupportedException(
                $"{usedBy} uses {WireNames.Of(type)}, which has no wire format; add it to {nameof(WireJsonContext)}");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(WireJsonContext.Default.Options)
        {
            TypeInfoResolver = WireJsonContext.Default.WithAddedModifier(LeaveOffComputedProperties),
        };
        options.MakeReadOnly();
        return options;
    }

    private static void LeaveOffComputedProperties(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        for (var i = typeInfo.Properties.Count - 1; i >= 0; i--)
        {
            var property = typeInfo.Properties[i];
            if (property.Set is null && property.AssociatedParameter is null)
            {
                typeInfo.Properties.RemoveAt(i);
            }
        }
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(AccountUpdate))]
[JsonSerializable(typeof(AccountState))]
[JsonSerializable(typeof(AccountSnapshot))]
[JsonSerializable(typeof(DecodedAccount))]
[JsonSerializable(typeof(ApplyOutcome))]
[JsonSerializable(typeof(SnapshotSource))]
[JsonSerializable(typeof(StreamToken))]
[JsonSerializable(typeof(Interest))]
[JsonSerializable(typeof(InterestKind))]
[JsonSerializable(typeof(AccountFilter))]
[JsonSerializable(typeof(IReadOnlyList<Interest>))]
[JsonSerializable(typeof(IngestStatus))]
[JsonSerializable(typeof(SubscriptionStatus))]
[JsonSerializable(typeof(IReadOnlyList<SubscriptionStatus>))]
[JsonSerializable(typeof(WalletState))]
[JsonSerializable(typeof(WalletStatus))]
[JsonSerializable(typeof(TokenHolding))]
[JsonSerializable(typeof(NotificationSink))]
[JsonSerializable(typeof(WalletTrackRequest))]
[JsonSerializable(typeof(ActivityQuery))]
[JsonSerializable(typeof(WalletActivityEntry))]
[JsonSerializable(typeof(IReadOnlyList<WalletActivityEntry>))]
[JsonSerializable(typeof(WalletChanged))]
[JsonSerializable(typeof(NotificationDeadLetter))]
[JsonSerializable(typeof(IReadOnlyList<NotificationDeadLetter>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(ulong))]
[JsonSerializable(typeof(int[]))]
[JsonSerializable(typeof(byte[]))]
[JsonSerializable(typeof(Guid))]
[JsonSerializable(typeof(DateTimeOffset))]
[JsonSerializable(typeof(TimeSpan))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
