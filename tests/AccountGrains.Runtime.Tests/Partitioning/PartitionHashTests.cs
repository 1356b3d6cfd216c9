using System.Text;
using AccountGrains.Runtime.Partitioning;

namespace AccountGrains.Runtime.Tests.Partitioning;

public sealed class PartitionHashTests
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    // Golden values. Partitions name queues and leases that outlive a process, so these must NEVER change across
    // versions, platforms or runtimes: a different value means a running cluster would route keys to the wrong
    // owner. They were computed once from the definition (FNV-1a 64 over UTF-8, then the MurmurHash3 fmix64
    // finalizer) with an independent implementation, not by running PartitionHash. Do not "update" them.
    [Theory]
    [InlineData("", 0xefd01f60ba992926UL, 38)]
    [InlineData("a", 0x82a2a958a9bece5bUL, 27)]
    [InlineData("default", 0xd47084e0f7c5d5adUL, 45)]
    [InlineData("11111111111111111111111111111111", 0xa3dbdebc9b75fef7UL, 55)]
    [InlineData("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", 0x8e040bd81ff91963UL, 35)]
    [InlineData("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", 0xa46dcb74573f96f6UL, 54)]
    [InlineData("ключ", 0x590520d718275ed5UL, 21)]
    public void Hash_and_partition_of_known_keys_never_change(string key, ulong hash, int partitionOf64)
    {
        PartitionHash.Hash64(key).Should().Be(hash);
        PartitionHash.Hash64(Encoding.UTF8.GetBytes(key)).Should().Be(hash);
        PartitionHash.PartitionOf(key, 64).Should().Be(partitionOf64);
        PartitionHash.PartitionOf(key, 1024).Should().Be((int)(hash % 1024));
    }

    [Fact]
    public void The_same_key_always_gets_the_same_partition()
    {
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var key = RandomKey(random);
            var copy = new string(key.AsSpan());
            var partition = PartitionHash.PartitionOf(key, 64);

            PartitionHash.PartitionOf(copy, 64).Should().Be(partition);
            PartitionHash.PartitionOf(key, 64).Should().Be(partition);
            partition.Should().BeInRange(0, 63);
        }
    }

    [Fact]
    public void Keys_longer_than_the_stack_buffer_hash_like_their_utf8_bytes()
    {
        var ascii = new string('x', 500);
        var multiByte = string.Concat(Enumerable.Repeat("ключ€", 40));

        PartitionHash.Hash64(ascii).Should().Be(PartitionHash.Hash64(Encoding.UTF8.GetBytes(ascii)));
        PartitionHash.Hash64(multiByte).Should().Be(PartitionHash.Hash64(Encoding.UTF8.GetBytes(multiByte)));
        PartitionHash.Hash64(ascii).Should().NotBe(PartitionHash.Hash64(ascii[..^1]));
    }

    [Fact]
    public void Ten_thousand_random_pubkeys_spread_evenly_over_64_partitions()
    {
        const int partitions = 64;
        const int keys = 10_000;
        var random = new Random(42);
        var counts = new int[partitions];
        for (var i = 0; i < keys; i++)
        {
            counts[PartitionHash.PartitionOf(RandomKey(random), partitions)]++;
        }

        const double mean = (double)keys / partitions;
        counts.Should().OnlyContain(c => c >= 0.5 * mean && c <= 1.5 * mean, "every partition should get 0.5x..1.5x of the mean {0}", mean);
    }

    [Fact]
    public void A_null_key_or_a_partition_count_below_one_is_refused()
    {
        var nullKey = () => PartitionHash.Hash64((string)null!);
        var nullKeyPartition = () => PartitionHash.PartitionOf(null!, 64);
        var zero = () => PartitionHash.PartitionOf("key", 0);
        var negative = () => PartitionHash.PartitionOf("key", -1);

        nullKey.Should().Throw<ArgumentNullException>();
        nullKeyPartition.Should().Throw<ArgumentNullException>();
        zero.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("partitionCount");
        negative.Should().Throw<ArgumentOutOfRangeException>();
        PartitionHash.PartitionOf("key", 1).Should().Be(0);
    }

    private static string RandomKey(Random random)
    {
        Span<char> chars = stackalloc char[random.Next(32, 45)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Base58Alphabet[random.Next(Base58Alphabet.Length)];
        }

        return new string(chars);
    }
}
