using System.Collections.Concurrent;
using AccountGrains.Client.Cluster;
using AccountGrains.Client.Tests.Support;
using AccountGrains.Runtime.Cluster;
using AccountGrains.Runtime.Storage.Postgres;
using AccountGrains.Runtime.Transport.RabbitMq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace AccountGrains.Client.Tests;

/// <summary>
/// The cluster client against a real cluster silo on PostgreSQL and RabbitMQ: a client connected standalone reads,
/// subscribes and tracks wallets; the silo's grain factory feeds the updates, as the ingest would.
/// </summary>
public sealed class ClusterClientTests(TestCluster cluster) : IClassFixture<TestCluster>
{
    [ClusterFact]
    public async Task Client_joins_the_membership_as_a_gateway_and_leaves_on_dispose()
    {
        var client = await cluster.ConnectAsync();
        await using var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString);
        var table = new MembershipTable(dataSource);

        var row = (await table.ListAllAsync()).Should().ContainSingle(m => m.MemberId == client.MemberId).Subject;
        row.Kind.Should().Be(ClusterMemberKind.Gateway);
        row.Status.Should().Be(ClusterMemberStatus.Active);

        await client.DisposeAsync();

        (await table.ListAllAsync()).Should().NotContain(m => m.MemberId == client.MemberId, "a graceful leave deletes the row");
    }

    [ClusterFact]
    public async Task Reads_the_states_the_silo_holds_and_null_for_unknown_accounts()
    {
        await using var client = await cluster.ConnectAsync();
        var known = Accounts.NewPubkey();
        var other = Accounts.NewPubkey();
        var unknown = Accounts.NewPubkey();
        await cluster.FeedAsync(Accounts.Update(known, 100, 1, 5_000));
        await cluster.FeedAsync(Accounts.Update(other, 101, 2, 7_000));

        var state = await client.GetAccountAsync(known);
        state.Should().NotBeNull();
        state!.Lamports.Should().Be(5_000);
        state.Token.Should().Be(new StreamToken(100, 1));
        state.Decoded.Program.Should().NotBeNullOrEmpty();
        (await client.GetAccountAsync(unknown)).Should().BeNull();

        var states = await client.GetAccountsAsync([other, unknown, known, other]);
        states.Select(s => s?.Lamports).Should().Equal(7_000UL, null, 5_000UL, 7_000UL);
    }

    [ClusterFact]
    public async Task Subscriber_gets_the_snapshot_first_then_newer_states_in_order()
    {
        await using var client = await cluster.ConnectAsync();
        var pubkey = Accounts.NewPubkey();
        await cluster.FeedAsync(Accounts.Update(pubkey, 10, 1, 1));
        var seen = new ConcurrentQueue<StreamToken>();

        await using var subscription = await client.SubscribeAsync(pubkey, s =>
        {
            seen.Enqueue(s.Token);
            return ValueTask.CompletedTask;
        }).OrHang();
        await Waits.UntilAsync(() => !seen.IsEmpty, "the snapshot");

        (await cluster.FeedAsync(Accounts.Update(pubkey, 11, 1, 2))).Should().Be(ApplyOutcome.Applied);
        (await cluster.FeedAsync(Accounts.Update(pubkey, 10, 5, 3))).Should().Be(ApplyOutcome.Stale);
        (await cluster.FeedAsync(Accounts.Update(pubkey, 11, 1, 2))).Should().Be(ApplyOutcome.Duplicate);
        (await cluster.FeedAsync(Accounts.Update(pubkey, 12, 0, 4))).Should().Be(ApplyOutcome.Applied);
        (await cluster.FeedAsync(Accounts.Update(pubkey, 11, 9, 5))).Should().Be(ApplyOutcome.Stale);
        await cluster.FeedAsync(Accounts.Update(pubkey, 12, 1, 6));

        await Waits.UntilAsync(() => seen.Contains(new StreamToken(12, 1)), "the last update");
        await Task.Delay(200); // anything stale would have arrived by now
        seen.Should().Equal(new StreamToken(10, 1), new StreamToken(11, 1), new StreamToken(12, 0), new StreamToken(12, 1));
        subscription.Delivered.Should().Be(4);
    }

    [ClusterFact]
    public async Task Subscribing_to_an_unknown_account_delivers_its_first_state_when_it_comes()
    {
        await using var client = await cluster.ConnectAsync();
        var pubkey = Accounts.NewPubkey();
        var seen = new ConcurrentQueue<AccountState>();
        await using var subscription = await client.SubscribeAsync(pubkey, s =>
        {
            seen.Enqueue(s);
            return ValueTask.CompletedTask;
        }).OrHang();

        await Task.Delay(100);
        seen.Should().BeEmpty();
        await cluster.FeedAsync(Accounts.Update(pubkey, 50, 0, 42));
        await Waits.UntilAsync(() => !seen.IsEmpty, "the first state");
        seen.Single().Lamports.Should().Be(42);
    }

    [ClusterFact]
    public async Task Program_subscription_gets_the_changes_of_the_accounts_of_the_program()
    {
        await using var client = await cluster.ConnectAsync();
        var owner = Accounts.NewPubkey();
        var (a, b) = (Accounts.NewPubkey(), Accounts.NewPubkey());
        var seen = new ConcurrentQueue<(string, StreamToken)>();
        await using var subscription = await client.SubscribeProgramAsync(owner, s =>
        {
            seen.Enqueue((s.Pubkey, s.Token));
            return ValueTask.CompletedTask;
        }).OrHang();

        await cluster.FeedAsync(Accounts.Update(a, 20, 0, 1, owner));
        await cluster.FeedAsync(Accounts.Update(b, 20, 1, 1, owner));
        await cluster.FeedAsync(Accounts.Update(Accounts.NewPubkey(), 20, 2, 1)); // another owner
        await cluster.FeedAsync(Accounts.Update(a, 21, 0, 2, owner));

        await Waits.UntilAsync(() => seen.Count == 3, "three changes");
        await Task.Delay(100);
        seen.Should().Equal((a, new StreamToken(20, 0)), (b, new StreamToken(20, 1)), (a, new StreamToken(21, 0)));
    }

    // Tracking goes through the wallet grain, which publishes on wallet.<address>: over RabbitMQ that comes with the
    // wallet-streams branch (RabbitMqStreamProvider throws NotSupportedException until then). WalletClientTests cover
    // the same calls over an embedded silo.
    [ClusterFact]
    public async Task Tracked_wallet_is_in_the_ingest_interest_and_stored_until_untracked()
    {
        await using var client = await cluster.ConnectAsync();
        var wallet = Accounts.NewPubkey();
        await cluster.FeedAsync(Accounts.Update(wallet, 30, 0, 2_500_000_000));
        var ingest = cluster.SiloGrains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey);
        var store = new PostgresAccountStore(cluster.ConnectionString, TimeProvider.System);

        (await client.TrackWalletAsync(wallet)).Should().BeTrue();
        (await client.TrackWalletAsync(wallet)).Should().BeFalse("it is tracked already");

        (await ingest.GetInterestAsync()).Should().Contain(Interest.Wallet(wallet));
        (await store.ReadInterestAsync(CancellationToken.None)).Should().Contain(Interest.Wallet(wallet));
        (await client.GetTrackedAsync()).Should().Contain(w => w.Address == wallet);
        (await client.GetWalletAsync(wallet)).IsTracked.Should().BeTrue();
        (await client.GetIngestStatusAsync()).InterestCount.Should().BeGreaterThanOrEqualTo(1);

        (await client.UntrackWalletAsync(wallet)).Should().BeTrue();
        (await client.UntrackWalletAsync(wallet)).Should().BeFalse("it is not tracked any more");

        (await ingest.GetInterestAsync()).Should().NotContain(Interest.Wallet(wallet));
        (await store.ReadInterestAsync(CancellationToken.None)).Should().NotContain(Interest.Wallet(wallet));
        (await client.GetTrackedAsync()).Should().NotContain(w => w.Address == wallet);
        (await client.GetWalletAsync(wallet)).IsTracked.Should().BeFalse();
    }

    [ClusterFact]
    public async Task Wallet_without_an_account_state_has_no_balance()
    {
        await using var client = await cluster.ConnectAsync();
        var wallet = Accounts.NewPubkey();

        (await client.GetWalletAsync(wallet)).Should().BeEquivalentTo(new WalletView { Address = wallet, IsTracked = false, Status = WalletStatus.Untracked });
    }

    [ClusterFact]
    public async Task Subscriber_gets_the_state_it_missed_while_its_broker_connection_was_down()
    {
        var broker = new Uri(cluster.RabbitMqUri);
        await using var proxy = new TcpProxy(broker.Host, broker.Port);
        var throughProxy = new UriBuilder(broker) { Port = proxy.Port }.Uri.ToString();
        var loggers = new CapturingLoggerFactory();
        await using var client = await AccountGrainsClusterClient.ConnectAsync(cluster.ClientConfiguration(throughProxy), loggers).OrHang();
        var pubkey = Accounts.NewPubkey();
        await cluster.FeedAsync(Accounts.Update(pubkey, 40, 0, 1));
        var seen = new ConcurrentQueue<StreamToken>();
        await using var subscription = await client.SubscribeAsync(pubkey, s =>
        {
            seen.Enqueue(s.Token);
            return ValueTask.CompletedTask;
        }).OrHang();
        await Waits.UntilAsync(() => seen.Count == 1, "the snapshot");

        proxy.Break();
        await cluster.FeedAsync(Accounts.Update(pubkey, 41, 0, 2)); // published while the client cannot hear it
        await cluster.FeedAsync(Accounts.Update(pubkey, 42, 0, 3));
        await Task.Delay(300);
        seen.Should().HaveCount(1);
        proxy.Restore();

        await Waits.UntilAsync(() => seen.Contains(new StreamToken(42, 0)), "the re-read after the reconnect");
        loggers.Lines.Should().Contain(l => l.Contains("re-reading 1 accounts", StringComparison.Ordinal));
        await cluster.FeedAsync(Accounts.Update(pubkey, 43, 0, 4));
        await Waits.UntilAsync(() => seen.Contains(new StreamToken(43, 0)), "live updates after the reconnect");
        seen.Should().Equal(new StreamToken(40, 0), new StreamToken(42, 0), new StreamToken(43, 0));
    }

    [ClusterFact]
    public async Task A_client_the_cluster_declared_dead_stops_serving_calls_and_says_so()
    {
        await using var client = await cluster.ConnectAsync();
        (await client.GetAccountAsync(Accounts.NewPubkey())).Should().BeNull();

        // What a silo does to a member whose heartbeats stopped reaching the database.
        await using (var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString))
        {
            await using var command = dataSource.CreateCommand("UPDATE cluster_members SET status = 'dead', declared_dead_by = 'test' WHERE member_id = $1");
            command.Parameters.AddWithValue(client.MemberId);
            (await command.ExecuteNonQueryAsync()).Should().Be(1);
        }

        await Waits.UntilAsync(
            async () =>
            {
                try
                {
                    await client.GetAccountAsync(Accounts.NewPubkey());
                    return false;
                }
                catch (AccountGrainsException e) when (e.Code == ClusterErrorCodes.ClientStopped)
                {
                    e.Message.Should().Contain(client.MemberId).And.Contain("declared dead").And.EndWith("dispose it and connect again");
                    return true;
                }
            },
            "the client to notice");
    }

    [ClusterFact]
    public async Task Client_used_after_dispose_fails_clearly()
    {
        var client = await cluster.ConnectAsync();
        var pubkey = Accounts.NewPubkey();
        var subscription = await client.SubscribeAsync(pubkey, _ => ValueTask.CompletedTask).OrHang();
        await client.DisposeAsync();

        client.SubscriptionCount.Should().Be(0);
        await FluentActions.Awaiting(() => client.GetAccountAsync(pubkey)).Should().ThrowAsync<ObjectDisposedException>()
            .WithMessage("*AccountGrainsClusterClient*");
        await FluentActions.Awaiting(() => client.SubscribeAsync(pubkey, _ => ValueTask.CompletedTask)).Should().ThrowAsync<ObjectDisposedException>();
        await FluentActions.Awaiting(() => client.TrackWalletAsync(pubkey)).Should().ThrowAsync<ObjectDisposedException>();
        await subscription.DisposeAsync(); // a second time: nothing happens
        await client.DisposeAsync();
    }

    [ClusterFact]
    public async Task A_host_gets_the_client_from_dependency_injection_and_the_host_runs_its_membership()
    {
        var pubkey = Accounts.NewPubkey();
        await cluster.FeedAsync(Accounts.Update(pubkey, 60, 0, 60));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(cluster.ClientConfiguration());
        builder.Services.AddAccountGrainsClusterClient(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync().OrHang();
        var client = host.Services.GetRequiredService<AccountGrainsClusterClient>();
        await using var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString);
        var table = new MembershipTable(dataSource);

        (await client.GetAccountAsync(pubkey))!.Lamports.Should().Be(60);
        (await table.ListAllAsync()).Should().Contain(m => m.MemberId == client.MemberId && m.Kind == ClusterMemberKind.Gateway);

        await host.StopAsync().OrHang();
        (await table.ListAllAsync()).Should().NotContain(m => m.MemberId == client.MemberId);
    }

    [ClusterFact]
    public async Task Settings_object_connects_like_configuration()
    {
        var pubkey = Accounts.NewPubkey();
        await cluster.FeedAsync(Accounts.Update(pubkey, 70, 0, 70));

        await using var client = await AccountGrainsClusterClient.ConnectAsync(new ClusterClientSettings
        {
            ConnectionString = cluster.ConnectionString,
            RabbitMqUri = cluster.RabbitMqUri,
            RabbitMqPrefix = cluster.Prefix,
            RabbitMqQueueType = RabbitMqQueueType.Classic,
            PartitionCount = TestCluster.PartitionCount,
            HeartbeatInterval = TimeSpan.FromSeconds(0.5),
            DeadAfter = TimeSpan.FromSeconds(3),
            MemberId = "settings-client-" + Guid.NewGuid().ToString("N")[..8],
        }).OrHang();

        client.MemberId.Should().StartWith("settings-client-");
        (await client.GetAccountAsync(pubkey))!.Lamports.Should().Be(70);
    }

    [ClusterFact]
    public async Task A_client_whose_partition_count_is_not_the_clusters_cannot_connect()
    {
        var memberId = "wrong-count-" + Guid.NewGuid().ToString("N")[..8];
        var configuration = cluster.ClientConfiguration(overrides: new Dictionary<string, string?>
        {
            ["AccountGrains:Runtime:PartitionCount"] = "4",
            ["AccountGrains:Cluster:MemberId"] = memberId,
        });

        var refused = (await FluentActions.Awaiting(() => AccountGrainsClusterClient.ConnectAsync(configuration).OrHang())
            .Should().ThrowExactlyAsync<AccountGrainsException>()).Which;

        refused.Code.Should().Be(ClusterErrorCodes.ConnectFailed);
        refused.Message.Should().Be(
            "could not join the cluster: The cluster has 8 partitions but this member's AccountGrains:Runtime:PartitionCount is 4; " +
            "set it to the cluster's, or its calls would reach silos that do not own the keys.");
        await using var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString);
        (await new MembershipTable(dataSource).ListAllAsync()).Should().NotContain(m => m.MemberId == memberId);
    }

    [ClusterFact]
    public async Task Calls_into_a_cluster_without_a_silo_time_out_with_a_clear_error()
    {
        var prefix = "n" + Guid.NewGuid().ToString("N")[..12] + ".";
        var configuration = cluster.ClientConfiguration(overrides: new Dictionary<string, string?>
        {
            ["AccountGrains:RabbitMq:Prefix"] = prefix,
            ["AccountGrains:RabbitMq:CallTimeout"] = "00:00:00.5",
        });
        var pubkey = Accounts.NewPubkey();
        try
        {
            await using var client = await AccountGrainsClusterClient.ConnectAsync(configuration).OrHang();

            var timeout = (await FluentActions.Awaiting(() => client.GetAccountAsync(pubkey)).Should().ThrowExactlyAsync<AccountGrainsException>()).Which;
            timeout.Code.Should().Be(ClusterErrorCodes.Timeout);
            timeout.Message.Should().StartWith($"reading account {pubkey} got no answer from the cluster: ")
                .And.Contain("to partition").And.Contain("got no reply within 0.5 s").And.EndWith("is a silo running? (a failed silo's partitions move to the others within seconds: retry)");

            (await FluentActions.Awaiting(() => client.TrackWalletAsync(pubkey)).Should().ThrowExactlyAsync<AccountGrainsException>())
                .Which.Code.Should().Be(ClusterErrorCodes.Timeout);
        }
        finally
        {
            await using var connection = await RabbitMqConnection.ConnectAsync(new RabbitMqOptions
            {
                Uri = cluster.RabbitMqUri, Prefix = prefix, QueueType = RabbitMqQueueType.Classic,
            }).OrHang();
            var queues = await PartitionQueues.DeclareAsync(connection, TestCluster.PartitionCount);
            await queues.DeleteAsync();
            await queues.DisposeAsync();
            var bus = await EventBus.DeclareAsync(connection);
            await bus.DeleteAsync();
            await bus.DisposeAsync();
        }
    }
}
