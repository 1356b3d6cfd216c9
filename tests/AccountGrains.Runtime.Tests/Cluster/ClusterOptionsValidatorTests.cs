using AccountGrains.Runtime.Cluster;
using AccountGrains.Runtime.Configuration;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Tests.Cluster;

public sealed class ClusterOptionsValidatorTests
{
    [Fact]
    public void The_defaults_with_a_connection_string_are_valid_and_the_member_id_is_unique_per_instance()
    {
        var options = Valid();

        new ClusterOptionsValidator(Options.Create(new GrainRuntimeOptions())).Validate(null, options).Succeeded.Should().BeTrue();
        options.MemberId.Should().StartWith(Environment.MachineName).And.NotBe(new ClusterOptions().MemberId);
    }

    public static TheoryData<string, Action<ClusterOptions>> Invalid => new()
    {
        { "ConnectionString", o => o.ConnectionString = "" },
        { "ConnectionString", o => o.ConnectionString = "Hots=db" },
        { "MemberId", o => o.MemberId = " " },
        { "HeartbeatInterval", o => o.HeartbeatInterval = TimeSpan.Zero },
        { "DeadAfter", o => o.DeadAfter = TimeSpan.FromSeconds(3) },
        { "CleanupAfter", o => o.CleanupAfter = TimeSpan.FromSeconds(5) },
        { "SafetyMargin", o => o.SafetyMargin = TimeSpan.FromSeconds(10) },
        { "RenewInterval", o => o.RenewInterval = TimeSpan.FromSeconds(7) },
        { "LeaseDuration", o => o.LeaseDuration = TimeSpan.FromSeconds(-1) },
        { "PartitionCount", o => o.PartitionCount = 0 },
        { "PartitionCount", o => o.PartitionCount = 32 },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void An_invalid_setting_fails_with_a_message_naming_it(string setting, Action<ClusterOptions> change)
    {
        var options = Valid();
        change(options);

        var result = new ClusterOptionsValidator(Options.Create(new GrainRuntimeOptions())).Validate(null, options);

        result.Failed.Should().BeTrue();
        result.Failures.Should().Contain(f => f.Contains($"AccountGrains:Cluster:{setting}", StringComparison.Ordinal));
    }

    private static ClusterOptions Valid() => new() { ConnectionString = "Host=db;Username=accountgrains;Database=accountgrains" };
}
