using AccountGrains.Grains.Ingest;
using AccountGrains.Grains.Ingest.Replay;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Tests;

public sealed class ReplayFileSourceTests : IDisposable
{
    private const string Owner = "11111111111111111111111111111111";
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"replay-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_path);

    private static string Line(string pubkey, ulong slot, ulong version) =>
        $$"""{"pubkey":"{{pubkey}}","owner":"{{Owner}}","lamports":1,"data":"","slot":{{slot}},"write_version":{{version}}}""";

    private ReplayFileSource Source(bool loop = false) =>
        new(Options.Create(new ReplayOptions { Path = _path, Loop = loop }), TimeProvider.System);

    [Fact]
    public async Task Bad_lines_are_reported_with_their_line_number_and_skipped()
    {
        var key = "So11111111111111111111111111111111111111112";
        await File.WriteAllLinesAsync(_path, [Line(key, 1, 1), "{broken", string.Empty, Line(key, 2, 2), "{\"pubkey\":\"x\"}", Line(key, 3, 3)]);
        var rejected = new List<SourceRecordError>();
        var updates = await ReadAllAsync(Source(), rejected.Add, take: int.MaxValue);
        updates.Select(u => u.Slot).Should().Equal(1UL, 2UL, 3UL);
        rejected.Select(r => r.Location).Should().Equal($"{_path}:2", $"{_path}:5");
        rejected[0].Reason.Should().Contain("not valid JSON");
    }

    [Fact]
    public async Task A_last_line_without_newline_is_read()
    {
        await File.WriteAllTextAsync(_path, Line("So11111111111111111111111111111111111111112", 9, 9));
        (await ReadAllAsync(Source(), _ => { }, int.MaxValue)).Should().ContainSingle().Which.Slot.Should().Be(9);
    }

    [Fact]
    public async Task Looping_shifts_every_pass_past_the_previous_one()
    {
        var key = "So11111111111111111111111111111111111111112";
        await File.WriteAllLinesAsync(_path, [Line(key, 100, 10), Line(key, 101, 11), Line(key, 103, 12)]);
        var updates = await ReadAllAsync(Source(loop: true), _ => { }, take: 9);
        updates.Should().HaveCount(9);
        updates.Select(u => u.Token).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        updates[3].Slot.Should().Be(104, "the second pass starts one past the first pass's slot range");
    }

    [Fact]
    public async Task A_missing_file_fails_with_the_setting_to_fix()
    {
        var source = new ReplayFileSource(Options.Create(new ReplayOptions { Path = "/no/such/file.jsonl" }), TimeProvider.System);
        var act = () => ReadAllAsync(source, _ => { }, 1);
        await act.Should().ThrowAsync<FileNotFoundException>().WithMessage("*AccountGrains:Ingest:Replay:Path*");
    }

    [Fact]
    public void Options_validation_names_the_setting()
    {
        var result = new ReplayOptionsValidator().Validate(null, new ReplayOptions { Path = " ", UpdatesPerSecond = -1 });
        result.Failed.Should().BeTrue();
        result.Failures.Should().Contain(f => f.Contains("AccountGrains:Ingest:Replay:Path"))
            .And.Contain(f => f.Contains("AccountGrains:Ingest:Replay:UpdatesPerSecond"));
    }

    private static async Task<List<AccountUpdate>> ReadAllAsync(IAccountUpdateSource source, Action<SourceRecordError> rejected, int take)
    {
        var updates = new List<AccountUpdate>();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var update in source.ReadAsync(rejected, guard.Token))
        {
            updates.Add(update);
            if (updates.Count >= take)
            {
                break;
            }
        }

        return updates;
    }
}
