using System.Security.Cryptography.X509Certificates;

using AccountGrains.Grpc.Tests.TestSupport;

using Geyser;

namespace AccountGrains.Grpc.Tests;

public sealed class TlsTests
{
    [Fact]
    public async Task Https_with_a_trusted_self_signed_certificate_carries_unary_and_streaming_calls()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync(https: true);
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            SubscribeRequest request = (await call.ReadAsync(SubscribeRequest.Parser))!;
            await call.WriteAsync(Updates.Account(request.FromSlot));
            await call.WriteAsync(Updates.Account(request.FromSlot + 1));
        });
        X509Certificate2 trusted = server.Certificate!;
        using var connection = new GrpcConnection(server.HttpsAddress!, new GrpcConnectionOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) == 0
                && certificate is not null
                && certificate.GetRawCertData().AsSpan().SequenceEqual(trusted.RawData),
        });

        PongResponse pong = await connection.UnaryAsync<PingRequest, PongResponse>(GeyserTestServer.Ping, new PingRequest { Count = 9 });
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);
        await call.RequestStream.WriteAsync(Updates.Subscription(fromSlot: 500));
        await call.RequestStream.CompleteAsync();
        List<SubscribeUpdate> updates = await call.ResponseStream.ReadAllAsync().ToListAsync();

        pong.Count.Should().Be(9);
        updates.Should().Equal(Updates.Account(500), Updates.Account(501));
        server.HttpsAddress!.Scheme.Should().Be("https");
    }

    [Fact]
    public async Task Https_with_a_certificate_nobody_trusts_fails_with_unavailable()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync(https: true);
        using var connection = new GrpcConnection(server.HttpsAddress!);

        Func<Task> act = () => connection.UnaryAsync<PingRequest, PongResponse>(GeyserTestServer.Ping, new PingRequest());

        GrpcException error = (await act.Should().ThrowAsync<GrpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.Unavailable);
        error.Detail.Should().ContainAny("SSL", "certificate");
        server.Calls.Should().BeEmpty();
    }
}
