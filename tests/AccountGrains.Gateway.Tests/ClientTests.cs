using AccountGrains.Client;
using AccountGrains.Gateway.Tests.Support;

namespace AccountGrains.Gateway.Tests;

/// <summary>The .NET client library against the real embedded gateway.</summary>
public sealed class ClientTests : IAsyncLifetime
{
    private EmbeddedGateway _gateway = null!;
    private AccountGrainsClient _client = null!;

    public async Task InitializeAsync()
    {
        _gateway = await EmbeddedGateway.StartAsync();
        _client = new AccountGrainsClient(_gateway.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task GetAccount_returns_the_state_null_when_unknown_and_throws_on_invalid_pubkey()
    {
        var pubkey = Updates.NewPubkey();
        (await _client.GetAccountAsync(pubkey)).Should().BeNull();
        await _gateway.Grains.Get<IAccountGrain>(pubkey).ApplyAndReportAsync(Updates.SystemAccount(pubkey, 12, 3, 777));

        var account = await _client.GetAccountAsync(pubkey);
        account!.Lamports.Should().Be(777);
        account.Slot.Should().Be(12);
        account.WriteVersion.Should().Be(3);
        account.AccountType.Should().Be("system_account");
        account.RentEpoch.Should().Be(ulong.MaxValue);

        var invalid = () => _client.GetAccountAsync("0OIl");
        (await invalid.Should().ThrowAsync<AccountGrainsException>()).Which.Code.Should().Be("invalid_pubkey");
    }

    [Fact]
    public async Task A_socket_delivers_the_snapshot_realtime_updates_errors_and_unsubscribe()
    {
        var pubkey = Updates.NewPubkey();
        await _gateway.Grains.Get<IAccountGrain>(pubkey).ApplyAndReportAsync(Updates.SystemAccount(pubkey, 1, 1, 10));
        await using var socket = await _client.ConnectAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var messages = socket.ReadAllAsync(cts.Token).GetAsyncEnumerator(cts.Token);

        var subscribeId = await socket.SubscribeAsync(pubkey);
        (await messages.MoveNextAsync()).Should().BeTrue();
        var snapshot = messages.Current.Should().BeOfType<AccountMessage>().Subject;
        snapshot.Id.Should().Be(subscribeId);
        snapshot.Source.Should().Be("cache");
        snapshot.Account!.Lamports.Should().Be(10);

        await _gateway.Grains.Get<IAccountGrain>(pubkey).ApplyAsync(Updates.SystemAccount(pubkey, 2, 2, 20));
        (await messages.MoveNextAsync()).Should().BeTrue();
        var realtime = messages.Current.Should().BeOfType<AccountMessage>().Subject;
        realtime.Source.Should().Be("realtime");
        realtime.Account!.Lamports.Should().Be(20);

        await socket.SubscribeAsync("not-a-key");
        (await messages.MoveNextAsync()).Should().BeTrue();
        messages.Current.Should().BeOfType<ErrorMessage>().Which.Code.Should().Be("invalid_pubkey");

        var unsubscribeId = await socket.UnsubscribeAsync(pubkey);
        (await messages.MoveNextAsync()).Should().BeTrue();
        messages.Current.Should().Be(new UnsubscribedMessage(unsubscribeId, pubkey));
    }
}
