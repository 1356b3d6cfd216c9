using AccountGrains.Runtime.Configuration;
using AccountGrains.Runtime.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Tests.Configuration;

public sealed class OptionsValidatorTests
{
    [Fact]
    public void The_default_settings_are_valid()
    {
        new GrainRuntimeOptionsValidator().Validate(null, new GrainRuntimeOptions()).Succeeded.Should().BeTrue();
        new StorageOptionsValidator().Validate(null, new StorageOptions()).Succeeded.Should().BeTrue();
    }

    [Theory]
    [InlineData("PartitionCount", "0")]
    [InlineData("PartitionCount", "65537")]
    [InlineData("MailboxCapacity", "0")]
    [InlineData("PartitionQueueCapacity", "-1")]
    [InlineData("IdleTimeout", "00:00:00")]
    [InlineData("CollectionInterval", "-00:00:01")]
    public void An_invalid_runtime_setting_fails_with_a_message_naming_it(string setting, string value)
    {
        var options = Bind<GrainRuntimeOptions>(GrainRuntimeOptions.SectionName, setting, value);

        var result = new GrainRuntimeOptionsValidator().Validate(null, options);

        result.Failed.Should().BeTrue();
        result.Failures.Should().ContainSingle().Which.Should().Contain($"AccountGrains:Runtime:{setting}");
    }

    [Theory]
    [InlineData("Provider", "Mongo")]
    [InlineData("SqlitePath", " ")]
    [InlineData("HistoryRetention", "-00:00:01")]
    [InlineData("FlushInterval", "00:00:00")]
    [InlineData("FlushInterval", "00:00:11")]
    [InlineData("MaxBatchSize", "0")]
    [InlineData("MaxBatchSize", "100001")]
    public void An_invalid_storage_setting_fails_with_a_message_naming_it(string setting, string value)
    {
        var options = Bind<StorageOptions>(StorageOptions.SectionName, setting, value);

        var result = new StorageOptionsValidator().Validate(null, options);

        result.Failed.Should().BeTrue();
        result.Failures.Should().ContainSingle().Which.Should().Contain($"AccountGrains:Storage:{setting}");
    }

    [Fact]
    public void Postgres_without_a_connection_string_fails_with_a_message_naming_the_setting()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { Provider = "Postgres" });

        result.Failures.Should().ContainSingle().Which.Should().Contain("AccountGrains:Storage:ConnectionString is required");
    }

    [Theory]
    [InlineData("Host=db;Password=hunter2;Bogus=1")]
    [InlineData("Password=hunter2;Port=notaport")]
    [InlineData("Password=hunter2;Database=grains")]
    public void A_bad_postgres_connection_string_fails_without_showing_it(string connectionString)
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { Provider = "Postgres", ConnectionString = connectionString });

        result.Failures.Should().ContainSingle().Which.Should().Contain("AccountGrains:Storage:ConnectionString").And.NotContain("hunter2");
    }

    [Fact]
    public void Postgres_with_a_connection_string_is_valid_whatever_the_case_of_the_provider()
    {
        var options = new StorageOptions { Provider = "postgres", ConnectionString = "Host=db;Username=ag;Password=x;Database=grains", HistoryRetention = TimeSpan.FromDays(7) };

        new StorageOptionsValidator().Validate(null, options).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Every_invalid_setting_is_reported_at_once()
    {
        var options = new GrainRuntimeOptions { PartitionCount = 0, MailboxCapacity = 0, IdleTimeout = TimeSpan.Zero };

        var result = new GrainRuntimeOptionsValidator().Validate(null, options);

        result.Failures.Should().HaveCount(3);
    }

    [Fact]
    public async Task A_silo_with_an_invalid_setting_does_not_start_and_says_which_setting()
    {
        var start = () => TestSilo.StartAsync(("PartitionCount", "0"));

        (await start.Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain("AccountGrains:Runtime:PartitionCount");
    }

    private static T Bind<T>(string section, string setting, string value)
        where T : new()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"{section}:{setting}"] = value })
            .Build();
        var options = new T();
        configuration.GetSection(section).Bind(options);
        return options;
    }
}
