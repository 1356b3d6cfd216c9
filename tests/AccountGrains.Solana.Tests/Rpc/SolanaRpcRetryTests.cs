using System.Diagnostics;

using AccountGrains.Solana.Rpc;
using AccountGrains.Testing.FakeRpc;

namespace AccountGrains.Solana.Tests.Rpc;

public sealed class SolanaRpcRetryTests : IAsyncLifetime
{
    private static readonly SolanaRpcOptions FastRetries = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(5),
        MaxBackoff = TimeSpan.FromMilliseconds(20),
        MaxRetries = 3,
    };

    private FakeSolanaRpcServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeSolanaRpcServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Http_429_is_retried_after_the_servers_Retry_After()
    {
        using var client = new SolanaRpcClient(_server.HttpAddress, FastRetries);
        _server.FailNext(FakeFailure.Status(429, retryAfter: "1"));

        ulong slot = await client.GetSlotAsync().OrHang();

        slot.Should().Be(_server.Slot);
        IReadOnlyList<RecordedRequest> requests = _server.RequestsFor("getSlot");
        requests.Should().HaveCount(2);
        TimeSpan waited = requests[1].ReceivedAt - requests[0].ReceivedAt;
        waited.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950), "Retry-After: 1 asks for a second, far longer than the 5 ms backoff");
        waited.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Retry_After_as_an_http_date_is_honoured_and_capped_by_MaxRetryAfter()
    {
        var options = new SolanaRpcOptions { InitialBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(20), MaxRetryAfter = TimeSpan.FromMilliseconds(300) };
        using var client = new SolanaRpcClient(_server.HttpAddress, options);
        _server.FailNext(FakeFailure.Status(429, retryAfter: DateTimeOffset.UtcNow.AddHours(1).ToString("R")));

        var watch = Stopwatch.StartNew();
        await client.GetSlotAsync().OrHang();

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "an hour's Retry-After is cut to MaxRetryAfter");
        IReadOnlyList<RecordedRequest> requests = _server.RequestsFor("getSlot");
        (requests[1].ReceivedAt - requests[0].ReceivedAt).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task Http_500_and_503_are_retried_until_an_answer_comes()
    {
        using var client = new SolanaRpcClient(_server.HttpAddress, FastRetries);
        _server.FailNext(FakeFailure.Status(500));
        _server.FailNext(FakeFailure.Status(503));

        (await client.GetSlotAsync().OrHang()).Should().Be(_server.Slot);

        _server.RequestsFor("getSlot").Should().HaveCount(3);
    }

    [Fact]
    public async Task After_MaxRetries_the_client_gives_up_with_the_last_status()
    {
        var logger = new CapturingLogger();
        using var client = new SolanaRpcClient(_server.HttpAddress, FastRetries, logger);
        _server.FailNext(FakeFailure.Status(503), count: 10);

        Func<Task> act = () => client.GetBalanceAsync(Keys.New());

        SolanaRpcTransportException ex = (await act.Should().ThrowAsync<SolanaRpcTransportException>()).Which;
        ex.StatusCode.Should().Be(503);
        ex.Attempts.Should().Be(4);
        ex.Method.Should().Be("getBalance");
        ex.Message.Should().Contain("getBalance").And.Contain("503");
        _server.RequestsFor("getBalance").Should().HaveCount(4);
        logger.Lines.Count(l => l.Contains(" 6001 ", StringComparison.Ordinal)).Should().Be(3);
        logger.Lines.Should().ContainSingle(l => l.Contains(" 6002 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_status_that_is_not_transient_is_not_retried()
    {
        using var client = new SolanaRpcClient(_server.HttpAddress, FastRetries);
        _server.FailNext(FakeFailure.Status(401, body: "unauthorized"));

        Func<Task> act = () => client.GetSlotAsync();

        (await act.Should().ThrowAsync<SolanaRpcTransportException>()).Which.StatusCode.Should().Be(401);
        _server.RequestsFor("getSlot").Should().ContainSingle();
    }

    [Fact]
    public async Task A_connection_failure_is_retried_then_reported()
    {
        Uri closed;
        await using (FakeSolanaRpcServer gone = await FakeSolanaRpcServer.StartAsync())
        {
            closed = gone.HttpAddress;
        }

        using var client = new SolanaRpcClient(closed, FastRetries);
        Func<Task> act = () => client.GetSlotAsync();

        SolanaRpcTransportException ex = (await act.Should().ThrowAsync<SolanaRpcTransportException>()).Which;
        ex.StatusCode.Should().BeNull();
        ex.Attempts.Should().Be(4);
        ex.InnerException.Should().BeOfType<HttpRequestException>();
    }

    [Fact]
    public async Task A_JSON_RPC_error_is_not_retried()
    {
        using var client = new SolanaRpcClient(_server.HttpAddress, FastRetries);
        _server.FailNext(FakeFailure.RpcError(-32602, "Invalid param: Invalid", """{"detail":1}"""));

        Func<Task> act = () => client.GetAccountInfoAsync(Keys.New());

        SolanaRpcException ex = (await act.Should().ThrowAsync<SolanaRpcException>()).Which;
        ex.Code.Should().Be(-32602);
        ex.RpcMessage.Should().Be("Invalid param: Invalid");
        ex.Data.Should().Be("""{"detail":1}""");
        ex.Method.Should().Be("getAccountInfo");
        ex.Message.Should().Contain("getAccountInfo").And.Contain("-32602");
        _server.RequestsFor("getAccountInfo").Should().ContainSingle();
    }

    [Fact]
    public async Task Node_behind_is_retried_as_transient()
    {
        using var client = new SolanaRpcClient(_server.HttpAddress, FastRetries);
        _server.FailNext(FakeFailure.RpcError(SolanaRpcClient.NodeUnhealthyCode, "Node is behind by 42 slots"), count: 2);

        (await client.GetSlotAsync().OrHang()).Should().Be(_server.Slot);
        _server.RequestsFor("getSlot").Should().HaveCount(3);
    }

    [Fact]
    public async Task The_servers_own_errors_come_through_unchanged()
    {
        using var client = new SolanaRpcClient(_server.HttpAddress, FastRetries);
        var keys = Enumerable.Range(0, 101).Select(_ => Keys.New()).ToList();
        using var oversized = new SolanaRpcClient(_server.HttpAddress, new SolanaRpcOptions { MaxAccountsPerRequest = 101 });

        Func<Task> act = () => oversized.GetMultipleAccountsAsync(keys);

        SolanaRpcException ex = (await act.Should().ThrowAsync<SolanaRpcException>()).Which;
        ex.Code.Should().Be(-32602);
        ex.RpcMessage.Should().Be("Too many inputs provided; max 100");
    }

    [Theory]
    [InlineData("<html>502 Bad Gateway</html>", "not JSON")]
    [InlineData("", "not JSON")]
    [InlineData("[1,2]", "not a JSON-RPC response object")]
    [InlineData("""{"jsonrpc":"2.0","id":987654,"result":1}""", "id")]
    [InlineData("""{"jsonrpc":"2.0","id":1}""", "neither result nor error")]
    public async Task Garbage_is_a_clear_SolanaRpcException_naming_the_method(string body, string expected)
    {
        using var client = new SolanaRpcClient(_server.HttpAddress, FastRetries);
        _server.FailNext(FakeFailure.Garbage(body));

        Func<Task> act = () => client.GetSlotAsync();

        SolanaRpcException ex = (await act.Should().ThrowAsync<SolanaRpcException>()).Which;
        ex.Code.Should().BeNull();
        ex.Message.Should().Contain("getSlot").And.Contain(expected);
        _server.RequestsFor("getSlot").Should().ContainSingle();
    }

    [Fact]
    public async Task A_result_of_the_wrong_shape_names_the_missing_field()
    {
        using var client = new SolanaRpcClient(_server.HttpAddress, FastRetries);
        _server.FailNext(FakeFailure.Garbage("""{"jsonrpc":"2.0","id":1,"result":{"context":{"slot":5},"value":{"owner":"x","lamports":-1}}}"""));

        Func<Task> act = () => client.GetAccountInfoAsync(Keys.New());

        (await act.Should().ThrowAsync<SolanaRpcException>()).Which.Message.Should().Contain("getAccountInfo").And.Contain("result.value.lamports");
    }

    [Fact]
    public async Task Cancellation_during_a_backoff_wait_ends_the_call_promptly()
    {
        var options = new SolanaRpcOptions { MaxRetryAfter = TimeSpan.FromMinutes(1) };
        using var client = new SolanaRpcClient(_server.HttpAddress, options);
        _server.FailNext(FakeFailure.Status(429, retryAfter: "30"));
        using var cancel = new CancellationTokenSource();

        var watch = Stopwatch.StartNew();
        Task call = client.GetSlotAsync(ct: cancel.Token);
        await Eventually(() => _server.RequestsFor("getSlot").Count == 1);
        await Task.Delay(100);
        await cancel.CancelAsync();

        await call.Invoking(c => c).Should().ThrowAsync<OperationCanceledException>();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the 30 s Retry-After wait is cut short");
        _server.RequestsFor("getSlot").Should().ContainSingle();
    }

    [Fact]
    public async Task A_slow_reply_past_RequestTimeout_is_a_timeout_then_retried()
    {
        // The retry is a real request that must be answered within RequestTimeout, on a loaded machine too: give it a
        // second. The slow replies never come (the fake's wait ends when the client gives up), so this costs nothing.
        var options = new SolanaRpcOptions { RequestTimeout = TimeSpan.FromSeconds(1), InitialBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(5), MaxRetries = 1 };
        using var client = new SolanaRpcClient(_server.HttpAddress, options);
        _server.FailNext(FakeFailure.Slow(TimeSpan.FromSeconds(30)));

        (await client.GetSlotAsync().OrHang()).Should().Be(_server.Slot);

        _server.FailNext(FakeFailure.Slow(TimeSpan.FromSeconds(30)), count: 2);
        Func<Task> act = () => client.GetSlotAsync();
        (await act.Should().ThrowAsync<SolanaRpcTransportException>()).Which.InnerException.Should().BeOfType<TimeoutException>();
    }

    [Fact]
    public async Task Secrets_in_the_query_string_path_and_headers_never_reach_the_logs()
    {
        var logger = new CapturingLogger();
        var options = new SolanaRpcOptions { InitialBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(5), MaxRetries = 2 };
        options.Headers["x-api-key"] = "HEADER-SECRET-3";
        var endpoint = new Uri(_server.HttpAddress, "/PATH-SECRET-1/?api-key=QUERY-SECRET-2");
        using var client = new SolanaRpcClient(endpoint, options, logger);

        _server.FailNext(FakeFailure.Status(429, retryAfter: "0"));
        await client.GetSlotAsync().OrHang();
        _server.FailNext(FakeFailure.Status(503), count: 3);
        Exception transport = (await ((Func<Task>)(() => client.GetSlotAsync())).Should().ThrowAsync<SolanaRpcTransportException>()).Which;
        _server.FailNext(FakeFailure.Garbage());
        Exception garbage = (await ((Func<Task>)(() => client.GetSlotAsync())).Should().ThrowAsync<SolanaRpcException>()).Which;

        _server.Requests.Should().OnlyContain(r => r.PathAndQuery == "/PATH-SECRET-1/?api-key=QUERY-SECRET-2" && r.Headers["x-api-key"] == "HEADER-SECRET-3");
        logger.Lines.Should().NotBeEmpty();
        string everything = string.Join('\n', logger.Lines) + transport + garbage;
        everything.Should().NotContain("SECRET");
        logger.Lines.Should().Contain(l => l.Contains($"http://127.0.0.1:{_server.HttpAddress.Port}", StringComparison.Ordinal));
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Waits.Generous)
            {
                throw new TimeoutException("condition not met");
            }

            await Task.Delay(10);
        }
    }
}
