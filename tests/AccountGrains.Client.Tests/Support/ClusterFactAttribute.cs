namespace AccountGrains.Client.Tests.Support;

/// <summary>A fact that needs both throwaway servers of <c>scripts/test-servers.sh</c>; skipped when either is not set.</summary>
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute()
    {
        if (PostgresTestDatabase.ConnectionString is null)
        {
            Skip = PostgresTestDatabase.SkipReason;
        }
        else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(RabbitMqFactAttribute.UriVariable)))
        {
            Skip = $"{RabbitMqFactAttribute.UriVariable} is not set (scripts/test-servers.sh start sets it)";
        }
    }
}
