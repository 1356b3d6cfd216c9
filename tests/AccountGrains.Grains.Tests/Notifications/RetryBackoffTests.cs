using AccountGrains.Grains.Notifications;

namespace AccountGrains.Grains.Tests.Notifications;

public sealed class RetryBackoffTests
{
    private readonly RetryBackoff _backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(4, 8)]
    [InlineData(7, 60)]
    [InlineData(100, 60)]
    public void Waits_double_per_failure_up_to_the_cap_with_jitter_in_the_upper_half(int failedAttempts, int ceilingSeconds)
    {
        for (var i = 0; i < 200; i++)
        {
            var wait = _backoff.Next(failedAttempts, retryAfter: null);
            wait.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(ceilingSeconds / 2.0)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(ceilingSeconds));
        }
    }

    [Fact]
    public void Jitter_spreads_the_waits()
    {
        Enumerable.Range(0, 50).Select(_ => _backoff.Next(3, null)).Distinct().Count().Should().BeGreaterThan(10);
    }

    [Fact]
    public void Retry_after_is_taken_as_asked_up_to_the_cap()
    {
        _backoff.Next(1, TimeSpan.FromSeconds(7)).Should().Be(TimeSpan.FromSeconds(7));
        _backoff.Next(1, TimeSpan.FromMinutes(10)).Should().Be(TimeSpan.FromSeconds(60));
        _backoff.Next(1, TimeSpan.Zero).Should().Be(TimeSpan.Zero);
    }
}
