using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AccountGrains.Runtime.Configuration;
using AccountGrains.Runtime.Diagnostics;
using AccountGrains.Runtime.Storage;
using AccountGrains.Runtime.Storage.Sqlite;
using AccountGrains.Runtime.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Tests.Storage;

public sealed class AccountWriteBehindTests : IAsyncLifetime, IDisposable
{
    // Long enough that the loop never flushes on its own during a test: flushes come from FlushAsync, a full batch
    // or DisposeAsync, which keeps every test deterministic.
    private static readonly TimeSpan NeverByTimer = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _directory = new();
    private readonly RuntimeMetrics _metrics = new(new TestMeterFactory());
    private SqliteAccountStore _database = null!;
    private RecordingStore _store = null!;

    public async Task InitializeAsync()
    {
        _database = new SqliteAccountStore(Path.Combine(_directory.Path, "accounts.db"), TimeProvider.System);
        await _database.MigrateAsync(CancellationToken.None);
        _store = new RecordingStore(_database);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _metrics.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task States_of_one_account_queued_before_a_flush_are_conflated_to_the_newest()
    {
        await using var writeBehind = Create(NeverByTimer);
        writeBehind.Start();
        var pubkey = TestAccounts.NewPubkey();
        var v2 = TestAccounts.State(pubkey, 10, 2, lamports: 2);

        var first = writeBehind.Enqueue(TestAccounts.State(pubkey, 10, 1, lamports: 1));
        var second = writeBehind.Enqueue(v2);
        var late = writeBehind.Enqueue(TestAccounts.State(pubkey, 9, 99, lamports: 9));
        writeBehind.PendingCount.Should().Be(1);
        await writeBehind.FlushAsync().WaitAsync(Guard);

        await Task.WhenAll(first, second, late).WaitAsync(Guard);
        _store.Batches.Should().ContainSingle().Which.Should().ContainSingle().Which.Should().BeSameAs(v2);
        (await _database.ReadAsync(pubkey, CancellationToken.None))!.Lamports.Should().Be(2);
    }

    [Fact]
    public async Task The_task_from_Enqueue_completes_only_once_the_state_is_in_the_store()
    {
        await using var writeBehind = Create(NeverByTimer);
        writeBehind.Start();
        _store.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var state = TestAccounts.State(TestAccounts.NewPubkey(), 10, 1);

        var stored = writeBehind.Enqueue(state);
        _ = writeBehind.FlushAsync();
        await _store.WriteStarted.Task.WaitAsync(Guard);

        stored.IsCompleted.Should().BeFalse("the write has not happened yet");
        (await _database.ReadAsync(state.Pubkey, CancellationToken.None)).Should().BeNull();

        _store.Hold.SetResult();
        await stored.WaitAsync(Guard);
        (await _database.ReadAsync(state.Pubkey, CancellationToken.None)).Should().NotBeNull();
    }

    [Fact]
    public async Task WhenStoredAsync_covers_the_batch_being_written_and_the_one_queued_and_nothing_later()
    {
        await using var writeBehind = Create(NeverByTimer);
        writeBehind.Start();
        writeBehind.WhenStoredAsync().IsCompleted.Should().BeTrue("nothing is waiting");
        _store.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = TestAccounts.State(TestAccounts.NewPubkey(), 10, 1);
        _ = writeBehind.Enqueue(first);
        _ = writeBehind.FlushAsync();
        await _store.WriteStarted.Task.WaitAsync(Guard);

        // The first batch is being written (held): the barrier waits for it.
        var whileWriting = writeBehind.WhenStoredAsync();
        var second = TestAccounts.State(TestAccounts.NewPubkey(), 10, 1);
        _ = writeBehind.Enqueue(second);
        var withQueued = writeBehind.WhenStoredAsync();
        await Task.Delay(100);
        whileWriting.IsCompleted.Should().BeFalse();
        withQueued.IsCompleted.Should().BeFalse();

        _store.Hold.SetResult();
        await whileWriting.WaitAsync(Guard);
        (await _database.ReadAsync(first.Pubkey, CancellationToken.None)).Should().NotBeNull();
        await writeBehind.FlushAsync().WaitAsync(Guard);
        await withQueued.WaitAsync(Guard);
        (await _database.ReadAsync(second.Pubkey, CancellationToken.None)).Should().NotBeNull();
    }

    [Fact]
    public async Task WhenStoredAsync_fails_when_the_write_behind_gave_up_on_the_states_it_covers()
    {
        var writeBehind = Create(NeverByTimer);
        writeBehind.Start();
        _store.FailuresLeft = int.MaxValue;
        _ = writeBehind.Enqueue(TestAccounts.State(TestAccounts.NewPubkey(), 10, 1));
        var barrier = writeBehind.WhenStoredAsync();

        await writeBehind.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        // The cluster transport must not acknowledge what was never stored.
        await barrier.Invoking(b => b.WaitAsync(Guard)).Should().ThrowAsync<WriteBehindAbandonedException>();
    }

    [Fact]
    public async Task A_failed_write_is_retried_until_the_state_is_stored()
    {
        await using var writeBehind = Create(NeverByTimer);
        writeBehind.Start();
        _store.FailuresLeft = 2;
        var state = TestAccounts.State(TestAccounts.NewPubkey(), 10, 1);

        var stored = writeBehind.Enqueue(state);
        _ = writeBehind.FlushAsync();
        await stored.WaitAsync(Guard);

        _store.Failures.Should().Be(2);
        _store.Attempts.Should().Be(3);
        (await _database.ReadAsync(state.Pubkey, CancellationToken.None))!.Token.Should().Be(state.Token);
    }

    [Fact]
    public async Task Stopping_while_storage_keeps_failing_gives_up_after_bounded_attempts_instead_of_hanging()
    {
        var writeBehind = Create(NeverByTimer);
        writeBehind.Start();
        _store.FailuresLeft = int.MaxValue;
        _ = writeBehind.Enqueue(TestAccounts.State(TestAccounts.NewPubkey(), 10, 1));

        await writeBehind.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        _store.Attempts.Should().BeGreaterThanOrEqualTo(AccountWriteBehind.ShutdownAttempts);
        _store.Batches.Should().BeEmpty();
    }

    [Fact]
    public async Task A_full_batch_is_written_without_waiting_for_the_flush_interval()
    {
        await using var writeBehind = Create(NeverByTimer, maxBatchSize: 3);
        writeBehind.Start();

        var stored = Enumerable.Range(0, 3).Select(i => writeBehind.Enqueue(TestAccounts.State(TestAccounts.NewPubkey(), 10, (ulong)i))).ToArray();

        await Task.WhenAll(stored).WaitAsync(Guard);
        _store.Batches.Should().ContainSingle().Which.Should().HaveCount(3);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DisposeAsync_writes_what_is_still_pending(bool loopStarted)
    {
        var writeBehind = Create(NeverByTimer);
        if (loopStarted)
        {
            writeBehind.Start();
        }

        var states = Enumerable.Range(0, 5).Select(i => TestAccounts.State(TestAccounts.NewPubkey(), 10, (ulong)i)).ToArray();
        var stored = states.Select(writeBehind.Enqueue).ToArray();
        stored.Should().OnlyContain(t => !t.IsCompleted);

        await writeBehind.DisposeAsync().AsTask().WaitAsync(Guard);

        stored.Should().OnlyContain(t => t.IsCompletedSuccessfully);
        foreach (var state in states)
        {
            (await _database.ReadAsync(state.Pubkey, CancellationToken.None)).Should().NotBeNull();
        }

        Action afterDispose = () => _ = writeBehind.Enqueue(states[0]);
        afterDispose.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task More_pending_states_than_a_batch_are_written_in_batches_of_the_maximum_size()
    {
        var writeBehind = Create(NeverByTimer, maxBatchSize: 2);
        var stored = Enumerable.Range(0, 5).Select(i => writeBehind.Enqueue(TestAccounts.State(TestAccounts.NewPubkey(), 10, (ulong)i))).ToArray();

        await writeBehind.DisposeAsync();

        await Task.WhenAll(stored).WaitAsync(Guard);
        _store.Batches.Select(b => b.Length).Should().Equal(2, 2, 1);
    }

    private AccountWriteBehind Create(TimeSpan flushInterval, int maxBatchSize = 2000) =>
        new(
            _store,
            Options.Create(new StorageOptions { FlushInterval = flushInterval, MaxBatchSize = maxBatchSize }),
            _metrics,
            NullLogger<AccountWriteBehind>.Instance);

    /// <summary>Delegates to a real store; can hold writes on a gate and fail the first few.</summary>
    private sealed class RecordingStore(IAccountStore inner) : IAccountStore
    {
        private int _attempts;
        private int _failures;

        public TaskCompletionSource? Hold { get; set; }

        public TaskCompletionSource WriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int FailuresLeft { get; set; }

        public int Attempts => Volatile.Read(ref _attempts);

        public int Failures => Volatile.Read(ref _failures);

        /// <summary>Batches that were written (failed attempts are not listed).</summary>
        public ConcurrentQueue<AccountState[]> Batches { get; } = new();

        public string Describe => "recording:" + inner.Describe;

        public Task<int> MigrateAsync(CancellationToken cancellationToken) => inner.MigrateAsync(cancellationToken);

        public Task<AccountState?> ReadAsync(string pubkey, CancellationToken cancellationToken) => inner.ReadAsync(pubkey, cancellationToken);

        public async Task<int> WriteAsync(IReadOnlyList<AccountState> states, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            WriteStarted.TrySetResult();
            if (Hold is { } hold)
            {
                await hold.Task;
            }

            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                Interlocked.Increment(ref _failures);
                throw new IOException("the database is away");
            }

            Batches.Enqueue([.. states]);
            return await inner.WriteAsync(states, cancellationToken);
        }
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
