using System.Text.Json;

using AccountGrains.Gateway.Tests.Support;
using AccountGrains.Testing.Servers;

using Npgsql;

namespace AccountGrains.Gateway.Tests;

/// <summary>The gateway process on PostgreSQL instead of SQLite: the sample replayed, stored, and read back after a restart.</summary>
public sealed class PostgresGatewayTests(PostgresSchema schema) : IClassFixture<PostgresSchema>
{
    private static string SamplePath => Path.Combine(AppContext.BaseDirectory, "samples", "sample.jsonl");

    [PostgresFact]
    public async Task The_sample_replayed_into_postgres_is_stored_newest_first_and_served_after_a_restart()
    {
        var settings = new Dictionary<string, string?>
        {
            ["AccountGrains:Storage:Provider"] = "Postgres",
            ["AccountGrains:Storage:ConnectionString"] = schema.ConnectionString,
        };
        await using (var first = await EmbeddedGateway.StartAsync(replayPath: SamplePath, settings: settings))
        {
            var status = await first.WaitForIngestToCompleteAsync(TimeSpan.FromSeconds(60));
            status.LastError.Should().BeNull();
        }

        using var expectedDocument = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "samples", "sample.expected.json")));
        var expected = expectedDocument.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

        // Straight from the database: one row per account, each the newest update.
        await using (var connection = new NpgsqlConnection(schema.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pubkey, slot, write_version, account_type FROM accounts", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new Dictionary<string, (ulong Slot, ulong WriteVersion, string Type)>();
            while (await reader.ReadAsync())
            {
                rows[reader.GetString(0)] = ((ulong)reader.GetInt64(1), (ulong)reader.GetInt64(2), reader.GetString(3));
            }

            expected.Keys.Except(rows.Keys).Should().BeEmpty("every update accepted before the stop is stored");
            rows.Keys.Should().BeEquivalentTo(expected.Keys);
            foreach (var (pubkey, want) in expected)
            {
                rows[pubkey].Should().Be((want.GetProperty("slot").GetUInt64(), want.GetProperty("write_version").GetUInt64(), want.GetProperty("account_type").GetString()!), pubkey);
            }
        }

        var empty = Path.Combine(Path.GetTempPath(), $"accountgrains-empty-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(empty, string.Empty);
        await using var second = await EmbeddedGateway.StartAsync(replayPath: empty, settings: settings);
        foreach (var (pubkey, want) in expected.Take(20))
        {
            var account = await second.GetJsonAsync($"/v1/accounts/{pubkey}");
            account.GetProperty("write_version").GetUInt64().Should().Be(want.GetProperty("write_version").GetUInt64(), pubkey);
        }

        File.Delete(empty);
    }
}
