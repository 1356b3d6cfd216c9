using Xunit;

namespace AccountGrains.Testing.Servers;

/// <summary>
/// A fact that needs the throwaway RabbitMQ of <c>scripts/test-servers.sh</c>: skipped when
/// <c>ACCOUNTGRAINS_TEST_RABBITMQ</c> is unset (xunit 2 has no runtime skip, so the decision is made here).
/// </summary>
public sealed class RabbitMqFactAttribute : FactAttribute
{
    public const string UriVariable = "ACCOUNTGRAINS_TEST_RABBITMQ";
    public const string NodeVariable = "ACCOUNTGRAINS_TEST_RABBITMQ_NODE";

    public RabbitMqFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(UriVariable)))
        {
            Skip = $"{UriVariable} is not set: start a broker with eval \"$(scripts/test-servers.sh start)\" or run ./test.sh";
        }
    }
}
