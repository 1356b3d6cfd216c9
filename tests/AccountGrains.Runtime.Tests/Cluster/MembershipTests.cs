using AccountGrains.Runtime.Cluster;

namespace AccountGrains.Runtime.Tests.Cluster;

public sealed class MembershipTests : IAsyncLifetime
{
    private readonly List<TestClusterSilo> _members = [];
    private ClusterTestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        if (PostgresTestDatabase.ConnectionString is not null)
        {
            _database = await ClusterTestDatabase.CreateAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var member in _members)
        {
            await member.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task Registered_members_are_listed_live_and_a_graceful_leave_deletes_the_row()
    {
        var a = await StartAsync("member-a");
        await StartAsync("gateway-b", o => o.Kind = ClusterMemberKind.Gateway);

        var live = await a.Membership.Table.ListLiveAsync(a.Options.DeadAfter);
        live.Select(m => (m.MemberId, m.Kind, m.Status)).Should().Equal(
            ("gateway-b", ClusterMemberKind.Gateway, ClusterMemberStatus.Active),
            ("member-a", ClusterMemberKind.Silo, ClusterMemberStatus.Active));

        await a.StopAsync();

        (await Table().ListAllAsync()).Select(m => m.MemberId).Should().Equal("gateway-b");
    }

    [PostgresFact]
    public async Task A_silent_member_is_declared_dead_and_terminates_when_it_comes_back()
    {
        var a = await StartAsync("member-a");
        var b = await StartAsync("member-b");

        b.Proxy.Break();

        await ClusterTests.UntilAsync(async () => (await Table().ListAllAsync()).Single(m => m.MemberId == "member-b").Status == ClusterMemberStatus.Dead,
            "member-a declares the silent member-b dead", TimeSpan.FromSeconds(30));
        var row = (await Table().ListAllAsync()).Single(m => m.MemberId == "member-b");
        row.DeclaredDeadBy.Should().Be("member-a");
        (await Table().ListLiveAsync(a.Options.DeadAfter)).Select(m => m.MemberId).Should().Equal("member-a");
        b.Membership.Terminated.IsCompleted.Should().BeFalse("member-b cannot know yet");

        b.Proxy.Restore();

        var reason = await b.Membership.Terminated.WaitAsync(TimeSpan.FromSeconds(30));
        reason.Should().Contain("member-b").And.Contain("declared dead");
        a.Membership.Terminated.IsCompleted.Should().BeFalse();
    }

    [PostgresFact]
    public async Task Gateways_never_declare_anyone_dead_only_silos_do()
    {
        await StartAsync("gateway-g", o => o.Kind = ClusterMemberKind.Gateway);
        var silent = await StartAsync("member-s");
        silent.Proxy.Break();

        await Task.Delay(silent.Options.DeadAfter * 2 + silent.Options.HeartbeatInterval * 3);
        (await Table().ListAllAsync()).Single(m => m.MemberId == "member-s").Status.Should().Be(ClusterMemberStatus.Active,
            "a gateway is not a judge: it may run with other timings than the silos");

        await StartAsync("member-a");
        await ClusterTests.UntilAsync(async () => (await Table().ListAllAsync()).Single(m => m.MemberId == "member-s").Status == ClusterMemberStatus.Dead,
            "the silo member-a declares member-s dead", TimeSpan.FromSeconds(30));
        (await Table().ListAllAsync()).Single(m => m.MemberId == "member-s").DeclaredDeadBy.Should().Be("member-a");
    }

    [PostgresFact]
    public async Task After_the_database_was_away_from_everyone_the_first_member_back_declares_nobody_dead()
    {
        var a = await StartAsync("member-a");
        var b = await StartAsync("member-b");

        // A database restart, as each member sees it: every heartbeat fails for longer than DeadAfter.
        a.Proxy.Break();
        b.Proxy.Break();
        await Task.Delay(a.Options.DeadAfter + a.Options.HeartbeatInterval * 2);

        // member-a is back first; member-b a few heartbeats later, still well within DeadAfter of member-a's return.
        a.Proxy.Restore();
        await Task.Delay(a.Options.HeartbeatInterval * 3);
        b.Proxy.Restore();
        await Task.Delay(a.Options.DeadAfter + a.Options.HeartbeatInterval * 3);

        (await Table().ListAllAsync()).Select(m => (m.MemberId, m.Status)).Should().BeEquivalentTo(
            [("member-a", ClusterMemberStatus.Active), ("member-b", ClusterMemberStatus.Active)],
            "nobody may be judged on heartbeats the database was not there to take");
        b.Membership.Terminated.IsCompleted.Should().BeFalse();
        a.Membership.Terminated.IsCompleted.Should().BeFalse();
    }

    [PostgresFact]
    public async Task Declaring_dead_is_idempotent_and_a_dead_member_cannot_rejoin_under_its_id()
    {
        var a = await StartAsync("member-a");
        var b = await StartAsync("member-b");
        await b.KillAsync();

        await ClusterTests.UntilAsync(async () => (await Table().ListAllAsync()).Any(m => m.Status == ClusterMemberStatus.Dead),
            "member-b is declared dead", TimeSpan.FromSeconds(30));

        (await Table().DeclareSilentMembersDeadAsync("member-a", TimeSpan.Zero)).Should().BeEmpty("member-b is already dead");
        var rejoin = () => Table().RegisterAsync("member-b", ClusterMemberKind.Silo, "");
        (await rejoin.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*member-b*declared dead*MemberId*");
        await ClusterTests.UntilAsync(() => a.Membership.LiveMembers.Select(m => m.MemberId).SequenceEqual(["member-a"]),
            "member-a's view of the live members drops member-b at its next round");
    }

    [PostgresFact]
    public async Task Rows_of_dead_members_are_deleted_after_the_cleanup_delay()
    {
        await StartAsync("member-a", o => o.CleanupAfter = TimeSpan.FromSeconds(2));
        var b = await StartAsync("member-b");
        await b.KillAsync();

        await ClusterTests.UntilAsync(async () => (await Table().ListAllAsync()).Select(m => m.MemberId).SequenceEqual(["member-a"]),
            "member-b is declared dead, then its row is deleted", TimeSpan.FromSeconds(30));
    }

    private MembershipTable Table() => new(_database.Direct);

    private async Task<TestClusterSilo> StartAsync(string name, Action<ClusterOptions>? configure = null)
    {
        var member = await TestClusterSilo.StartAsync(_database, name, configure, withLeases: false);
        _members.Add(member);
        return member;
    }
}
