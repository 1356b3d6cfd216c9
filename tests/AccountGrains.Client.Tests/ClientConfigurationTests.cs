using System.Net;
using System.Net.Sockets;
using AccountGrains.Client.Cluster;
using AccountGrains.Client.Cluster.Internal;
using AccountGrains.Runtime.Messaging.Wire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AccountGrains.Client.Tests;

/// <summary>Settings, registration and connect failures: none of these need a server.</summary>
public sealed class ClientConfigurationTests
{
    private static IConfiguration Configuration(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Defaults_are_valid()
    {
        new ClusterClientOptionsValidator().Validate(null, new ClusterClientOptions()).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Every_wrong_setting_is_named()
    {
        var result = new ClusterClientOptionsValidator().Validate(null, new ClusterClientOptions
        {
            MaxConcurrentReads = 0,
            MaxQueuedChanges = 0,
            ConnectTimeout = TimeSpan.FromMilliseconds(10),
        });

        result.Failures.Should().HaveCount(3).And.SatisfyRespectively(
            f => f.Should().StartWith("AccountGrains:Client:MaxConcurrentReads must be between 1 and 1024 (got 0)"),
            f => f.Should().StartWith("AccountGrains:Client:MaxQueuedChanges must be between 1 and 1000000 (got 0)"),
            f => f.Should().StartWith("AccountGrains:Client:ConnectTimeout must be between 1 second and 10 minutes"));
    }

    [Fact]
    public void Settings_become_the_configuration_keys_they_stand_for()
    {
        var configuration = new ClusterClientSettings
        {
            ConnectionString = "Host=db;Username=ag;Database=accountgrains",
            RabbitMqUri = "amqp://ag:secret@rabbitmq:5672/",
            RabbitMqPrefix = "prod.",
            RabbitMqQueueType = Runtime.Transport.RabbitMq.RabbitMqQueueType.Classic,
            PartitionCount = 32,
            CallTimeout = TimeSpan.FromSeconds(7),
            MemberId = "billing-1",
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            DeadAfter = TimeSpan.FromSeconds(6),
            MaxConcurrentReads = 8,
            MaxQueuedChanges = 500,
            ConnectTimeout = TimeSpan.FromSeconds(12),
        }.ToConfiguration();

        configuration.AsEnumerable().Where(p => p.Value is not null).Should().BeEquivalentTo(new Dictionary<string, string?>
        {
            ["AccountGrains:Cluster:ConnectionString"] = "Host=db;Username=ag;Database=accountgrains",
            ["AccountGrains:RabbitMq:Uri"] = "amqp://ag:secret@rabbitmq:5672/",
            ["AccountGrains:RabbitMq:Prefix"] = "prod.",
            ["AccountGrains:RabbitMq:QueueType"] = "Classic",
            ["AccountGrains:Runtime:PartitionCount"] = "32",
            ["AccountGrains:RabbitMq:CallTimeout"] = "00:00:07",
            ["AccountGrains:Cluster:MemberId"] = "billing-1",
            ["AccountGrains:Cluster:HeartbeatInterval"] = "00:00:01",
            ["AccountGrains:Cluster:DeadAfter"] = "00:00:06",
            ["AccountGrains:Client:MaxConcurrentReads"] = "8",
            ["AccountGrains:Client:MaxQueuedChanges"] = "500",
            ["AccountGrains:Client:ConnectTimeout"] = "00:00:12",
        });
        new ClusterClientSettings().ToConfiguration().AsEnumerable().Where(p => p.Value is not null).Should().BeEmpty("unset settings keep the defaults");
    }

    [Fact]
    public async Task Registration_adds_the_client_its_host_and_its_settings()
    {
        var services = new ServiceCollection();
        var configuration = Configuration(
            ("AccountGrains:Cluster:ConnectionString", "Host=127.0.0.1;Username=ag;Database=ag"),
            ("AccountGrains:Client:MaxConcurrentReads", "4"));

        services.AddLogging().AddSingleton<IHostApplicationLifetime, StandaloneLifetime>().AddAccountGrainsClusterClient(configuration);
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<ClusterClientOptions>>().Value.MaxConcurrentReads.Should().Be(4);
        provider.GetServices<IHostedService>().Should().ContainSingle(s => s.GetType().Name == "ClusterClientHost");
        provider.GetService<IGrainFactory>().Should().NotBeNull();
        services.Should().ContainSingle(d => d.ServiceType == typeof(AccountGrainsClusterClient));
    }

    [Fact]
    public async Task Connecting_without_a_cluster_database_names_the_missing_setting()
    {
        var failure = await FluentActions.Awaiting(() => AccountGrainsClusterClient.ConnectAsync(Configuration(("AccountGrains:Client:MaxQueuedChanges", "0"))))
            .Should().ThrowExactlyAsync<OptionsValidationException>();

        failure.Which.Message.Should().Contain("AccountGrains:Cluster:ConnectionString is required");
        failure.Which.Message.Should().Contain("AccountGrains:Client:MaxQueuedChanges must be between 1 and 1000000 (got 0)");
    }

    [Fact]
    public async Task Connecting_to_a_broker_that_is_not_there_fails_after_the_connect_timeout_and_says_where()
    {
        var port = ClosedPort();
        var started = DateTime.UtcNow;

        var failure = await FluentActions.Awaiting(() => AccountGrainsClusterClient.ConnectAsync(new ClusterClientSettings
        {
            ConnectionString = "Host=127.0.0.1;Port=1;Username=ag;Database=ag",
            RabbitMqUri = $"amqp://ag:secret@127.0.0.1:{port}/",
            ConnectTimeout = TimeSpan.FromSeconds(1),
        }).OrHang()).Should().ThrowExactlyAsync<AccountGrainsException>();

        failure.Which.Code.Should().Be(ClusterErrorCodes.ConnectFailed);
        failure.Which.Message.Should().StartWith($"could not open RabbitMQ at amqp://127.0.0.1:{port} (no answer within 1 s)")
            .And.Contain("AccountGrains:RabbitMq:Uri")
            .And.NotContain("secret");
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Connecting_can_be_cancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await FluentActions.Awaiting(() => AccountGrainsClusterClient.ConnectAsync(new ClusterClientSettings
        {
            ConnectionString = "Host=127.0.0.1;Port=1;Username=ag;Database=ag",
            RabbitMqUri = $"amqp://127.0.0.1:{ClosedPort()}/",
        }, cancellationToken: cancel.Token).OrHang()).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void Failures_of_a_call_become_one_exception_with_a_code()
    {
        Code(new TimeoutException("request to partition 3 got no reply")).Should().Be(ClusterErrorCodes.Timeout);
        Code(new GrainCallException("System.IO.IOException", "disk full")).Should().Be(ClusterErrorCodes.GrainFailed);
        Code(new GrainWireException("reply to GetSnapshotAsync has unknown kind 9")).Should().Be(ClusterErrorCodes.ProtocolMismatch);
        Code(new RabbitMQ.Client.Exceptions.AlreadyClosedException(
            new RabbitMQ.Client.Events.ShutdownEventArgs(RabbitMQ.Client.ShutdownInitiator.Library, 320, "gone"))).Should().Be(ClusterErrorCodes.Unavailable);
        Code(new ObjectDisposedException("channel")).Should().Be(ClusterErrorCodes.Unavailable);
        Code(new ArgumentException("too many filters")).Should().Be(ClusterErrorCodes.Rejected);
        Code(new InvalidOperationException("the interest set is full")).Should().Be(ClusterErrorCodes.Rejected);
        Code(new FormatException("odd")).Should().Be(ClusterErrorCodes.GrainFailed);

        var translated = GrainCallErrors.Translate("reading account X", new GrainCallException("System.IO.IOException", "disk full"));
        translated.Message.Should().Be("reading account X failed in the grain (System.IO.IOException): disk full");
        translated.InnerException.Should().BeOfType<GrainCallException>();

        static string Code(Exception e) => GrainCallErrors.Translate("a call", e).Code;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
