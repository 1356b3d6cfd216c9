using System.Globalization;
using System.Text.Json;

namespace AccountGrains.Testing.Cluster;

/// <summary>
/// One line of a host's JSON console log (<c>Logging__Console__FormatterName=json</c>): the timestamp the host
/// stamped it with (UTC, 100 ns), its event id, level, category, message and the structured values of its template.
/// </summary>
public sealed record HostLogEntry(
    string Member,
    DateTimeOffset Timestamp,
    int EventId,
    string Level,
    string Category,
    string Message,
    IReadOnlyDictionary<string, string> State,
    string? Exception)
{
    /// <summary>Parses one stdout line; null for anything that is not a JSON log object (a crash trace, a blank line).</summary>
    public static HostLogEntry? TryParse(string member, string line)
    {
        if (line.Length == 0 || line[0] != '{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (!root.TryGetProperty(nameof(Timestamp), out var timestamp) || !root.TryGetProperty(nameof(Category), out var category))
            {
                return null;
            }

            var state = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty(nameof(State), out var values) && values.ValueKind == JsonValueKind.Object)
            {
                foreach (var value in values.EnumerateObject())
                {
                    state[value.Name] = value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString()! : value.Value.GetRawText();
                }
            }

            return new HostLogEntry(
                member,
                DateTimeOffset.Parse(timestamp.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                root.TryGetProperty(nameof(EventId), out var eventId) && eventId.TryGetInt32(out var id) ? id : 0,
                root.TryGetProperty("LogLevel", out var level) ? level.GetString() ?? "" : "",
                category.GetString() ?? "",
                root.TryGetProperty(nameof(Message), out var message) ? message.GetString() ?? "" : "",
                state,
                root.TryGetProperty(nameof(Exception), out var exception) ? exception.GetString() : null);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    public long? Number(string name) =>
        State.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    public string? Text(string name) => State.GetValueOrDefault(name);

    public override string ToString() =>
        $"{Timestamp:HH:mm:ss.fffffff} {Member} {Level} {EventId} {Category}: {Message}{(Exception is null ? "" : " " + Exception)}";
}

/// <summary>Event ids the harness reads (src/Runtime/Cluster/ClusterLog.cs, src/Grains/Ingest/IngestLog.cs, RuntimeLog).</summary>
public static class HostEventIds
{
    public const int SiloStarted = 1007;
    public const int SiloStopped = 1008;
    public const int Joined = 1201;
    public const int Terminated = 1204;
    public const int Left = 1205;
    public const int PartitionAcquired = 1220;
    public const int PartitionLost = 1221;
    public const int PartitionReleased = 1222;
    public const int ProcessingStarted = 1230;
    public const int ProcessingStopped = 1231;
    public const int IngestReading = 2001;
    public const int IngestEnded = 2002;
    public const int IngestStopped = 2003;
    public const int IngestFailed = 2004;
}

/// <summary>What happened to a partition in one process.</summary>
public enum PartitionEventKind
{
    Acquired = HostEventIds.PartitionAcquired,
    Lost = HostEventIds.PartitionLost,
    Released = HostEventIds.PartitionReleased,
    ProcessingStarted = HostEventIds.ProcessingStarted,
    ProcessingStopped = HostEventIds.ProcessingStopped,
}

/// <summary>A partition log event of one member, typed: 1220-1222 and 1230/1231.</summary>
public sealed record PartitionEvent(string Member, PartitionEventKind Kind, int Partition, long Epoch, DateTimeOffset Timestamp, string? Reason)
{
    public static PartitionEvent? From(HostLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!Enum.IsDefined(typeof(PartitionEventKind), entry.EventId) || entry.Number("Partition") is not { } partition || entry.Number("Epoch") is not { } epoch)
        {
            return null;
        }

        return new PartitionEvent(entry.Member, (PartitionEventKind)entry.EventId, (int)partition, epoch, entry.Timestamp, entry.Text("Reason"));
    }

    public override string ToString() =>
        $"{Timestamp:HH:mm:ss.fffffff} {Member} {Kind} partition {Partition} epoch {Epoch}{(Reason is null ? "" : $" ({Reason})")}";
}
