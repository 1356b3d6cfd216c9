using System.Collections.Concurrent;
using AccountGrains.Client.Cluster;
using AccountGrains.Client.Tests.Support;

namespace AccountGrains.Client.Tests;

/// <summary>
/// The client's own rules (validation, errors, re-reading after a reconnect) over an embedded silo, without the
/// throwaway servers. The cluster tests run the same client over RabbitMQ.
/// </summary>
public sealed class ClientBehaviourTests : IAsyncLifetime
{
    private EmbeddedSilo _silo = null!;
    private AccountGrainsClusterClient _client = null!;

    public async Task InitializeAsync()
    {
        _silo = await EmbeddedSilo.StartAsync(new Dictionary<string, string?> { ["AccountGrains:Ingest:MaxInterest"] = "2" });
        _client = Create(_silo.Grains, _silo.Streams);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _silo.DisposeAsync();
    }

    private static AccountGrainsClusterClient Create(IGrainFactory grains, IStreamProvider streams, TimeSpan? callTimeout = null) =>
        TestClients.Create(grains, streams, callTimeout);

    [Theory]
    [InlineData("", "pubkey is empty*")]
    [InlineData("not-base58-0OIl", "pubkey 'not-base58-0OIl' is not valid base58*")]
    [InlineData("abc", "pubkey 'abc' decodes to 3 bytes; a pubkey is 32 bytes*")]
    public async Task Invalid_pubkeys_are_refused_with_the_reason_before_anything_is_sent(string pubkey, string message)
    {
        (await FluentActions.Awaiting(() => _client.GetAccountAsync(pubkey)).Should().ThrowExactlyAsync<ArgumentException>())
            .WithMessage(message + "(Parameter 'pubkey')");
        (await FluentActions.Awaiting(() => _client.SubscribeAsync(pubkey, _ => ValueTask.CompletedTask)).Should().ThrowExactlyAsync<ArgumentException>())
            .WithMessage(message);
        (await FluentActions.Awaiting(() => _client.SubscribeProgramAsync(pubkey, _ => ValueTask.CompletedTask)).Should().ThrowExactlyAsync<ArgumentException>())
            .Which.ParamName.Should().Be("owner");
        (await FluentActions.Awaiting(() => _client.TrackWalletAsync(pubkey)).Should().ThrowExactlyAsync<ArgumentException>())
            .Which.ParamName.Should().Be("address");
        await FluentActions.Awaiting(() => _client.UntrackWalletAsync(pubkey)).Should().ThrowExactlyAsync<ArgumentException>();
        await FluentActions.Awaiting(() => _client.GetWalletAsync(pubkey)).Should().ThrowExactlyAsync<ArgumentException>();
        _client.SubscriptionCount.Should().Be(0);
    }

    [Fact]
    public async Task A_null_pubkey_is_an_argument_null_exception()
    {
        await FluentActions.Awaiting(() => _client.GetAccountAsync(null!)).Should().ThrowExactlyAsync<ArgumentNullException>();
    }

    [Fact]
    public async Task A_bad_pubkey_in_a_batch_is_named_by_its_index_and_nothing_is_read()
    {
        var good = Accounts.NewPubkey();

        (await FluentActions.Awaiting(() => _client.GetAccountsAsync([good, good, "bad!"])).Should().ThrowExactlyAsync<ArgumentException>())
            .Which.ParamName.Should().Be("pubkeys[2]");
    }

    [Fact]
    public async Task Batch_read_keeps_the_order_and_reads_a_repeated_pubkey_once()
    {
        var keys = Enumerable.Range(0, 40).Select(_ => Accounts.NewPubkey()).ToArray();
        for (var i = 0; i < keys.Length; i += 2)
        {
            await _silo.FeedAsync(Accounts.Update(keys[i], 1, 0, (ulong)i + 1));
        }

        var states = await _client.GetAccountsAsync([.. keys, keys[0]]);

        states.Should().HaveCount(41);
        for (var i = 0; i < keys.Length; i++)
        {
            states[i]?.Lamports.Should().Be(i % 2 == 0 ? (ulong)i + 1 : null);
        }

        states[40].Should().BeSameAs(states[0]);
        (await _client.GetAccountsAsync([])).Should().BeEmpty();
    }

    [Fact]
    public async Task After_a_reconnect_an_account_subscriber_gets_the_state_published_while_it_was_away()
    {
        var pubkey = Accounts.NewPubkey();
        await _silo.FeedAsync(Accounts.Update(pubkey, 1, 0, 1));
        var seen = new ConcurrentQueue<StreamToken>();
        await using var subscription = await _client.SubscribeAsync(pubkey, s =>
        {
            seen.Enqueue(s.Token);
            return ValueTask.CompletedTask;
        });
        await Waits.UntilAsync(() => seen.Count == 1, "the snapshot");

        _silo.Streams.Pause();
        await _silo.FeedAsync(Accounts.Update(pubkey, 2, 0, 2));
        await _silo.FeedAsync(Accounts.Update(pubkey, 3, 0, 3));
        await Task.Delay(50);
        seen.Should().HaveCount(1, "the events were lost");

        await _silo.Streams.ReconnectAsync();

        await Waits.UntilAsync(() => seen.Count == 2, "the re-read");
        seen.Should().Equal(new StreamToken(1, 0), new StreamToken(3, 0));

        // A second reconnect with nothing new delivers nothing again.
        await _silo.Streams.ReconnectAsync();
        await Task.Delay(100);
        seen.Should().HaveCount(2);
        subscription.Dropped.Should().Be(1);
    }

    [Fact]
    public async Task The_client_stops_listening_for_reconnects_once_disposed()
    {
        var silo = _silo;
        var client = Create(silo.Grains, silo.Streams);
        var before = silo.Streams.ResubscribedHandlers;

        await client.DisposeAsync();

        silo.Streams.ResubscribedHandlers.Should().Be(before - 1);
    }

    [Fact]
    public async Task A_refusal_of_the_grain_is_an_AccountGrainsException_that_says_why()
    {
        (await _client.TrackWalletAsync(Accounts.NewPubkey())).Should().BeTrue();
        (await _client.TrackWalletAsync(Accounts.NewPubkey())).Should().BeTrue();

        var refused = (await FluentActions.Awaiting(() => _client.TrackWalletAsync(Accounts.NewPubkey())).Should().ThrowExactlyAsync<AccountGrainsException>()).Which;

        refused.Code.Should().Be(ClusterErrorCodes.Rejected);
        refused.Message.Should().StartWith("tracking wallet ").And.Contain("was refused: the interest set is full (2 entries, AccountGrains:Ingest:MaxInterest)");
        refused.InnerException.Should().BeOfType<InvalidOperationException>();
    }

    [Fact]
    public async Task A_call_nobody_answers_times_out_with_a_clear_error()
    {
        await using var client = Create(new SilentGrains(), _silo.Streams, callTimeout: TimeSpan.FromMilliseconds(200));
        var pubkey = Accounts.NewPubkey();

        var timeout = (await FluentActions.Awaiting(() => client.GetAccountAsync(pubkey)).Should().ThrowExactlyAsync<AccountGrainsException>()).Which;

        timeout.Code.Should().Be(ClusterErrorCodes.Timeout);
        timeout.Message.Should().Be(
            $"reading account {pubkey} got no answer from the cluster within 1.2 s: is RabbitMQ reachable (AccountGrains:RabbitMq:Uri) and a silo running?");
        client.SubscriptionCount.Should().Be(0);
        var subscribing = await FluentActions.Awaiting(() => client.SubscribeAsync(pubkey, _ => ValueTask.CompletedTask)).Should().ThrowExactlyAsync<AccountGrainsException>();
        subscribing.Which.Code.Should().Be(ClusterErrorCodes.Timeout);
        client.SubscriptionCount.Should().Be(0, "a subscription whose snapshot failed is ended");
    }

    [Fact]
    public async Task A_cancelled_call_is_an_OperationCanceledException()
    {
        await using var client = Create(new SilentGrains(), _silo.Streams);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await FluentActions.Awaiting(() => client.GetAccountAsync(Accounts.NewPubkey(), cancel.Token)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task A_disposed_client_refuses_every_call_and_has_ended_its_subscriptions()
    {
        var client = Create(_silo.Grains, _silo.Streams);
        var pubkey = Accounts.NewPubkey();
        var subscription = await client.SubscribeAsync(pubkey, _ => ValueTask.CompletedTask);

        await client.DisposeAsync();

        client.SubscriptionCount.Should().Be(0);
        (await FluentActions.Awaiting(() => client.GetAccountAsync(pubkey)).Should().ThrowExactlyAsync<ObjectDisposedException>())
            .Which.ObjectName.Should().Be(typeof(AccountGrainsClusterClient).FullName);
        await FluentActions.Awaiting(() => client.GetAccountsAsync([pubkey])).Should().ThrowExactlyAsync<ObjectDisposedException>();
        await FluentActions.Awaiting(() => client.SubscribeProgramAsync(pubkey, _ => ValueTask.CompletedTask)).Should().ThrowExactlyAsync<ObjectDisposedException>();
        await FluentActions.Awaiting(() => client.GetTrackedAsync()).Should().ThrowExactlyAsync<ObjectDisposedException>();
        await FluentActions.Awaiting(() => client.GetWalletAsync(pubkey)).Should().ThrowExactlyAsync<ObjectDisposedException>();
        await FluentActions.Awaiting(() => client.GetIngestStatusAsync()).Should().ThrowExactlyAsync<ObjectDisposedException>();
        await subscription.DisposeAsync();
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Ingest_status_is_read_from_the_ingest_grain()
    {
        var status = await _client.GetIngestStatusAsync();

        status.Running.Should().BeFalse("the test silo leaves the ingest idle");
        status.Source.Should().NotBeNullOrEmpty();
    }

    /// <summary>Grains that never answer (a partition nobody consumes, RabbitMQ not open yet).</summary>
    private sealed class SilentGrains : IGrainFactory, IAccountGrain
    {
        public TGrain Get<TGrain>(string key)
            where TGrain : IGrain => (TGrain)(object)this;

        public Task ApplyAsync(AccountUpdate update) => new TaskCompletionSource().Task;

        public Task<ApplyOutcome> ApplyAndReportAsync(AccountUpdate update) => new TaskCompletionSource<ApplyOutcome>().Task;

        public Task<AccountSnapshot> GetSnapshotAsync() => new TaskCompletionSource<AccountSnapshot>().Task;
    }
}
