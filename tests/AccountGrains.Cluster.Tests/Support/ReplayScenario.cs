using System.Text.Json;
using AccountGrains.Grains.Ingest.Replay;
using AccountGrains.Solana;

namespace AccountGrains.Cluster.Tests.Support;

/// <summary>
/// A generated replay file (samples/README.md format) with at-least-once noise: every account gets
/// <c>updatesPerAccount</c> updates with growing (slot, write_version); lines are then shuffled within windows,
/// some repeated byte for byte and some older updates of an account re-sent after newer ones. <see cref="Newest"/> is
/// what a correct cluster ends with. System accounts (no data) keep the grains' decoding out of the way.
/// </summary>
internal sealed class ReplayScenario
{
    public const string SystemProgram = "11111111111111111111111111111111";
    public const ulong FirstSlot = 400_000_000;

    private ReplayScenario(IReadOnlyList<string> pubkeys, IReadOnlyList<AccountUpdate> lines, IReadOnlyDictionary<string, AccountUpdate> newest)
    {
        Pubkeys = pubkeys;
        Lines = lines;
        Newest = newest;
    }

    public IReadOnlyList<string> Pubkeys { get; }

    /// <summary>The file's lines in file order, noise included.</summary>
    public IReadOnlyList<AccountUpdate> Lines { get; }

    /// <summary>The newest update per pubkey by (slot, write_version).</summary>
    public IReadOnlyDictionary<string, AccountUpdate> Newest { get; }

    public ulong LastSlot => Newest.Values.Max(u => u.Slot);

    public int Duplicates { get; private init; }

    public int StaleResends { get; private init; }

    public static ReplayScenario Generate(int accounts, int updatesPerAccount, int seed = 5, int window = 64, double duplicateRate = 0.03, double staleRate = 0.02)
    {
        var random = new Random(seed);
        var pubkeys = Enumerable.Range(0, accounts).Select(_ =>
        {
            var key = new byte[32];
            random.NextBytes(key);
            return Base58.Encode(key);
        }).ToList();

        // Chronological: each account updatesPerAccount times, in random order; ~10 writes per slot.
        var order = Enumerable.Range(0, accounts).SelectMany(a => Enumerable.Repeat(a, updatesPerAccount)).ToArray();
        random.Shuffle(order);
        var chronological = new List<AccountUpdate>(order.Length);
        for (var i = 0; i < order.Length; i++)
        {
            var slot = FirstSlot + (ulong)(i / 10);
            var writeVersion = 9_000_000_000UL + (ulong)i;
            chronological.Add(new AccountUpdate(
                pubkeys[order[i]], SystemProgram, 1_000_000UL + (ulong)i, [], false, ulong.MaxValue, slot, writeVersion, null, DateTimeOffset.UnixEpoch));
        }

        var newest = chronological.GroupBy(u => u.Pubkey).ToDictionary(g => g.Key, g => g.MaxBy(u => (u.Slot, u.WriteVersion))!, StringComparer.Ordinal);

        // Reordered within windows, then noise: exact repeats of recent lines, older versions of an account re-sent.
        var lines = new List<AccountUpdate>(order.Length + order.Length / 10);
        var previousOf = new Dictionary<string, List<AccountUpdate>>(StringComparer.Ordinal);
        int duplicates = 0, stale = 0;
        for (var start = 0; start < chronological.Count; start += window)
        {
            var chunk = chronological.GetRange(start, Math.Min(window, chronological.Count - start)).ToArray();
            random.Shuffle(chunk);
            foreach (var update in chunk)
            {
                lines.Add(update);
                if (!previousOf.TryGetValue(update.Pubkey, out var history))
                {
                    previousOf[update.Pubkey] = history = [];
                }

                history.Add(update);
                if (random.NextDouble() < duplicateRate)
                {
                    lines.Add(lines[random.Next(Math.Max(0, lines.Count - 200), lines.Count)]);
                    duplicates++;
                }

                if (random.NextDouble() < staleRate && history.Count > 1)
                {
                    var older = history.Where(h => (h.Slot, h.WriteVersion).CompareTo((update.Slot, update.WriteVersion)) < 0).ToList();
                    if (older.Count > 0)
                    {
                        lines.Add(older[random.Next(older.Count)]);
                        stale++;
                    }
                }
            }
        }

        return new ReplayScenario(pubkeys, lines, newest) { Duplicates = duplicates, StaleResends = stale };
    }

    public void WriteTo(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        using var json = new Utf8JsonWriter(file);
        foreach (var line in Lines)
        {
            ReplayLineWriter.Write(json, line);
            json.Flush();
            json.Reset();
            file.WriteByte((byte)'\n');
        }
    }
}
