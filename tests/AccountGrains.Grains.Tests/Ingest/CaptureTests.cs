using AccountGrains.Grains.Hosting;
using AccountGrains.Grains.Ingest.Replay;
using AccountGrains.Solana;
using AccountGrains.Testing.FakeYellowstone;

using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Tests.Ingest;

public sealed class CaptureTests
{
    [Fact]
    public void Written_lines_read_back_as_the_same_updates()
    {
        var random = new Random(5);
        for (var i = 0; i < 200; i++)
        {
            var data = new byte[random.Next(0, 300)];
            random.NextBytes(data);
            var signature = new byte[64];
            random.NextBytes(signature);
            var update = new AccountUpdate(
                Keys.Base58(i), Keys.Base58(i + 1000), (ulong)random.NextInt64(), data, random.Next(2) == 1,
                i % 3 == 0 ? ulong.MaxValue : (ulong)i, (ulong)random.NextInt64(), (ulong)random.NextInt64(),
                i % 2 == 0 ? Base58.Encode(signature) : null, DateTimeOffset.UnixEpoch);

            ReplayLineParser.TryParse(ReplayLineWriter.ToLine(update), DateTimeOffset.UnixEpoch, out var parsed, out var error).Should().BeTrue(error);
            parsed.Should().BeEquivalentTo(update);
        }
    }

    [Fact]
    public async Task Capture_records_a_live_source_into_a_file_that_replays_the_same_updates()
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        server.RequiredToken = "capture-secret";
        var file = Path.Combine(Path.GetTempPath(), $"accountgrains-capture-{Guid.NewGuid():N}.jsonl");
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var run = CaptureCommand.RunAsync(
            ["--output", file, "--count", "20", "--account", Keys.Base58(1), "--program", Keys.Base58(50),
             $"--AccountGrains:Ingest:Source=yellowstone", $"--AccountGrains:Ingest:Yellowstone:Endpoint={server.Address}",
             "--AccountGrains:Ingest:Yellowstone:XToken=capture-secret", "--Logging:LogLevel:Default=Warning"],
            output, errors, CancellationToken.None);
        await server.WaitForStreamsAsync(1);

        var published = new List<(ulong Slot, ulong WriteVersion)>();
        for (ulong slot = 1; slot <= 25; slot++)
        {
            server.Publish(slot, slot % 2 == 0 ? Keys.Bytes(1) : Keys.Bytes(60 + (int)slot), Keys.Bytes(50), slot * 7, [(byte)slot], slot * 100);
            published.Add((slot, slot * 100));
        }

        (await run.WaitAsync(Waits.Generous)).Should().Be(0, errors.ToString());
        var source = new ReplayFileSource(Options.Create(new ReplayOptions { Path = file }), TimeProvider.System);
        var replayed = new List<AccountUpdate>();
        await foreach (var update in source.ReadAsync(e => throw new InvalidOperationException(e.Reason), CancellationToken.None))
        {
            replayed.Add(update);
        }

        replayed.Select(u => (u.Slot, u.WriteVersion)).Should().Equal(published.Take(20));
        replayed[1].Should().BeEquivalentTo(new { Pubkey = Keys.Base58(1), Owner = Keys.Base58(50), Lamports = 14UL, Data = new byte[] { 2 } });
        output.ToString().Should().Contain("captured 20 updates").And.Contain("yellowstone http://127.0.0.1").And.NotContain("capture-secret");
        File.Delete(file);
    }

    [Theory]
    [InlineData(new[] { "--count", "5" }, "--output FILE is required")]
    [InlineData(new[] { "--output", "x.jsonl", "--what" }, "unknown argument '--what'")]
    [InlineData(new[] { "--output", "x.jsonl", "--count", "-3" }, "--count '-3' is not valid")]
    [InlineData(new[] { "--output", "x.jsonl", "--duration", "soon" }, "--duration 'soon' is not valid")]
    [InlineData(new[] { "--output", "x.jsonl", "--account", "0OIl" }, "'0OIl'")]
    [InlineData(new[] { "--output", "x.jsonl", "--AccountGrains:Ingest:Source=kafka" }, "configuration is invalid")]
    [InlineData(new[] { "--output", "x.jsonl", "--AccountGrains:Ingest:Source=yellowstone", "--AccountGrains:Ingest:Yellowstone:Endpoint=http://127.0.0.1:1" }, "the interest set is empty")]
    [InlineData(new[] { "--output" }, "--output needs a value")]
    public async Task Bad_arguments_exit_with_2_and_say_why(string[] args, string expected)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();

        (await CaptureCommand.RunAsync(args, output, errors, CancellationToken.None)).Should().Be(2);

        errors.ToString().Should().Contain(expected);
    }
}
