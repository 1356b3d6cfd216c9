using AccountGrains.Runtime.Messaging.Wire;
using AccountGrains.Runtime.Transport.RabbitMq;

namespace AccountGrains.Runtime.Tests.RabbitMq;

public sealed class CallBatchTests
{
    [Fact]
    public void A_batch_splits_back_into_its_calls_in_order()
    {
        byte[][] calls = [[1, 2, 3], [1], [], [1, 9, 9, 9, 9]];

        var body = CallBatch.Encode(calls);

        CallBatch.IsBatch(body).Should().BeTrue();
        CallBatch.IsBatch(calls[0]).Should().BeFalse("a single call starts with wire version 1");
        CallBatch.Split(body).Select(c => c.ToArray()).Should().BeEquivalentTo(calls, o => o.WithStrictOrdering());
    }

    [Theory]
    [InlineData(new byte[] { 0xB1 }, "2-byte count")]
    [InlineData(new byte[] { 0xB1, 2, 0, 1, 0, 0, 0, 7 }, "call 1 of 2 has no length")]
    [InlineData(new byte[] { 0xB1, 1, 0, 9, 0, 0, 0, 7 }, "claims 9 bytes, 1 left")]
    [InlineData(new byte[] { 0xB1, 1, 0, 1, 0, 0, 0, 7, 8 }, "1 bytes after its 1 calls")]
    [InlineData(new byte[] { 0xB1, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF }, "claims -1 bytes")]
    public void A_damaged_batch_is_a_wire_error_that_says_what_is_wrong(byte[] body, string expected)
    {
        var split = () => CallBatch.Split(body);

        split.Should().Throw<GrainWireException>().Which.Message.Should().Contain(expected);
    }
}
