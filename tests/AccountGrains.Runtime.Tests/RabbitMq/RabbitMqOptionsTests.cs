using AccountGrains.Runtime.Transport.RabbitMq;

namespace AccountGrains.Runtime.Tests.RabbitMq;

public sealed class RabbitMqOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        new RabbitMqOptionsValidator().Validate(null, new RabbitMqOptions()).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Every_wrong_setting_is_named_and_the_password_is_never_echoed()
    {
        var options = new RabbitMqOptions
        {
            Uri = "http://user:s3cret@host/",
            Prefix = "bad prefix!",
            Prefetch = 0,
            PublishBatchSize = 0,
            ConfirmTimeout = TimeSpan.Zero,
            CallTimeout = TimeSpan.FromHours(1),
            ReconnectDelay = TimeSpan.FromSeconds(5),
            MaxReconnectDelay = TimeSpan.FromSeconds(1),
            QueueType = (RabbitMqQueueType)7,
        };

        var result = new RabbitMqOptionsValidator().Validate(null, options);

        result.Failed.Should().BeTrue();
        var message = result.FailureMessage;
        foreach (var setting in new[] { "Uri", "Prefix", "Prefetch", "PublishBatchSize", "ConfirmTimeout", "CallTimeout", "MaxReconnectDelay", "QueueType" })
        {
            message.Should().Contain("AccountGrains:RabbitMq:" + setting);
        }

        message.Should().NotContain("s3cret");
    }

    [Theory]
    [InlineData("amqp://guest:guest@127.0.0.1:55672/", "amqp://guest@127.0.0.1:55672 vhost \"/\"")]
    [InlineData("amqps://app:p%40ss@mq.internal/prod", "amqps://app@mq.internal:5671 vhost \"prod\"")]
    [InlineData("amqp://localhost", "amqp://localhost:5672 vhost \"/\"")]
    public void Describe_shows_host_port_and_vhost_but_never_the_password(string uri, string expected)
    {
        RabbitMqConnection.DescribeUri(new Uri(uri)).Should().Be(expected);
    }
}
