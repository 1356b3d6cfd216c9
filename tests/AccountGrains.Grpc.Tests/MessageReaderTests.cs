using System.IO.Pipelines;

using AccountGrains.Grpc.Internal;
using AccountGrains.Grpc.Tests.TestSupport;

using Geyser;

namespace AccountGrains.Grpc.Tests;

/// <summary>The framing on its own, fed through a pipe in awkward pieces.</summary>
public sealed class MessageReaderTests
{
    private static readonly SubscribeUpdate[] Messages = [Updates.Account(1, dataLength: 0), Updates.ServerPing(), Updates.Account(3, dataLength: 40_000)];

    [Fact]
    public async Task Frames_arriving_one_byte_at_a_time_decode_exactly()
    {
        byte[] bytes = Messages.SelectMany(m => TestFraming.Frame(m)).ToArray();
        var pipe = new Pipe();
        Task writing = Task.Run(async () =>
        {
            foreach (byte b in bytes)
            {
                await pipe.Writer.WriteAsync(new[] { b });
            }

            await pipe.Writer.CompleteAsync();
        });
        var reader = new MessageReader(pipe.Reader, 1 << 20, encoding: null);

        var read = new List<SubscribeUpdate>();
        while (await reader.ReadAsync(SubscribeUpdate.Parser, CancellationToken.None).AsTask().OrHang() is { } message)
        {
            read.Add(message);
        }

        await writing;
        read.Should().Equal(Messages);
    }

    [Fact]
    public async Task Several_frames_in_one_read_are_all_returned_without_waiting_for_more_data()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Messages.SelectMany(m => TestFraming.Frame(m)).ToArray());
        var reader = new MessageReader(pipe.Reader, 1 << 20, encoding: null);

        // The writer stays open: a reader that marked the rest as examined would wait here for bytes that never come.
        var read = new List<SubscribeUpdate>();
        for (int i = 0; i < Messages.Length; i++)
        {
            read.Add((await reader.ReadAsync(SubscribeUpdate.Parser, CancellationToken.None).AsTask().OrHang())!);
        }

        await pipe.Writer.CompleteAsync();
        (await reader.ReadAsync(SubscribeUpdate.Parser, CancellationToken.None)).Should().BeNull();
        read.Should().Equal(Messages);
    }

    [Fact]
    public async Task A_frame_exactly_at_the_receive_limit_is_accepted_and_one_byte_more_is_not()
    {
        SubscribeUpdate message = Updates.Account(5, dataLength: 1000);
        int size = message.CalculateSize();
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(TestFraming.Frame(message));
        await pipe.Writer.WriteAsync(TestFraming.Frame(new byte[size + 1]));
        await pipe.Writer.CompleteAsync();
        var reader = new MessageReader(pipe.Reader, size, encoding: null);

        (await reader.ReadAsync(SubscribeUpdate.Parser, CancellationToken.None)).Should().Be(message);
        Func<Task> next = async () => await reader.ReadAsync(SubscribeUpdate.Parser, CancellationToken.None);

        (await next.Should().ThrowAsync<GrpcException>()).Which.Detail.Should().Contain($"{size + 1} > {size}");
    }

    [Fact]
    public void A_written_frame_has_a_zero_flag_and_a_big_endian_length()
    {
        SubscribeUpdate message = Updates.Account(7, dataLength: 300);

        byte[] frame = MessageFraming.CreateFrame(message, maxSendMessageSize: null);

        int size = message.CalculateSize();
        frame.Should().HaveCount(5 + size);
        frame[..5].Should().Equal(0, (byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size);
        SubscribeUpdate.Parser.ParseFrom(frame[5..]).Should().Be(message);
    }
}
