using System.Collections.Concurrent;
using System.Text;
using AccountGrains.Runtime.Tests.TestSupport;
using AccountGrains.Runtime.Transport.RabbitMq;

namespace AccountGrains.Runtime.Tests.RabbitMq;

[Collection(RabbitMqTestGroup.Name)]
public sealed class EventBusTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static byte[] Body(int n) => Encoding.UTF8.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static int Number(EventDelivery e) => int.Parse(Encoding.UTF8.GetString(e.Body.Span), System.Globalization.CultureInfo.InvariantCulture);

    [RabbitMqFact]
    public async Task Only_bound_keys_are_delivered_in_order_per_key_and_bindings_are_counted()
    {
        await using var scope = await RabbitMqScope.StartAsync();
        var bus = await scope.EventsAsync();
        var received = new ConcurrentQueue<EventDelivery>();
        await using var subscriber = await bus.SubscribeAsync(e =>
        {
            received.Enqueue(e);
            return Task.CompletedTask;
        });
        await subscriber.BindAsync("account.A");
        await subscriber.BindAsync("wallet.B");
        await subscriber.BindAsync("wallet.B"); // a second socket wants B
        subscriber.BoundKeys.Should().BeEquivalentTo("account.A", "wallet.B");

        for (var i = 0; i < 300; i++)
        {
            await bus.PublishEventAsync((i % 3) switch { 0 => "account.A", 1 => "wallet.B", _ => "program.C" }, Body(i));
        }

        await Eventually.TrueAsync(() => received.Count == 200, "200 events of A and B", Patience);
        await Task.Delay(200);
        received.Should().HaveCount(200, "program.C is not bound");
        received.Where(e => e.RoutingKey == "account.A").Select(Number).Should().Equal(Enumerable.Range(0, 100).Select(i => i * 3));
        received.Where(e => e.RoutingKey == "wallet.B").Select(Number).Should().Equal(Enumerable.Range(0, 100).Select(i => (i * 3) + 1));

        await subscriber.UnbindAsync("wallet.B"); // one socket left: still bound
        await bus.PublishEventAsync("wallet.B", Body(1000));
        await Eventually.TrueAsync(() => received.Any(e => Number(e) == 1000), "B while one reference is left", Patience);

        await subscriber.UnbindAsync("wallet.B"); // the last one: unbound
        subscriber.BoundKeys.Should().BeEquivalentTo("account.A");
        await bus.PublishEventAsync("wallet.B", Body(2000));
        await bus.PublishEventAsync("account.A", Body(3000));
        await Eventually.TrueAsync(() => received.Any(e => Number(e) == 3000), "A after B was unbound", Patience);
        await Task.Delay(200);
        received.Should().NotContain(e => Number(e) == 2000);
    }

    [RabbitMqFact]
    public async Task Two_subscribers_each_get_only_their_own_keys()
    {
        await using var scope = await RabbitMqScope.StartAsync();
        var bus = await scope.EventsAsync();
        var first = new ConcurrentQueue<string>();
        var second = new ConcurrentQueue<string>();
        await using var gateway1 = await bus.SubscribeAsync(e =>
        {
            first.Enqueue(e.RoutingKey);
            return Task.CompletedTask;
        });
        await using var gateway2 = await bus.SubscribeAsync(e =>
        {
            second.Enqueue(e.RoutingKey);
            return Task.CompletedTask;
        });
        await gateway1.BindAsync("account.X");
        await gateway2.BindAsync("account.X");
        await gateway2.BindAsync("account.Y");

        await bus.PublishEventAsync("account.X", Body(1));
        await bus.PublishEventAsync("account.Y", Body(2));

        await Eventually.TrueAsync(() => first.Count == 1 && second.Count == 2, "X to both, Y to the second", Patience);
        first.Should().Equal("account.X");
        second.Should().Equal("account.X", "account.Y");
    }

    [RabbitMqFact]
    public async Task After_a_broker_restart_the_subscriber_queue_and_bindings_are_back()
    {
        await using var scope = await RabbitMqScope.StartAsync();
        var bus = await scope.EventsAsync();
        var received = new ConcurrentQueue<int>();
        var restored = 0;
        await using var subscriber = await bus.SubscribeAsync(e =>
        {
            received.Enqueue(Number(e));
            return Task.CompletedTask;
        });
        subscriber.Restored += () =>
        {
            Interlocked.Increment(ref restored);
            return Task.CompletedTask;
        };
        await subscriber.BindAsync("account.R");
        await bus.PublishEventAsync("account.R", Body(1));
        await Eventually.TrueAsync(() => received.Count == 1, "the event before the restart", Patience);

        await Broker.RabbitMqCtlAsync("stop_app");
        await Broker.RabbitMqCtlAsync("start_app");
        await Eventually.TrueAsync(() => Volatile.Read(ref restored) == 1, "the subscriber restored", Patience);

        await bus.PublishEventAsync("account.R", Body(2)).WaitAsync(Patience);
        await Eventually.TrueAsync(() => received.Contains(2), "an event after the restart", Patience);
        subscriber.BoundKeys.Should().BeEquivalentTo("account.R");
    }

    [RabbitMqFact]
    public async Task Wildcard_keys_are_refused()
    {
        await using var scope = await RabbitMqScope.StartAsync();
        var bus = await scope.EventsAsync();
        await using var subscriber = await bus.SubscribeAsync(_ => Task.CompletedTask);
        var bind = () => subscriber.BindAsync("account.#");
        (await bind.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("account.#");
    }
}
