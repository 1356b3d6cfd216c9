using System.Data.Common;

namespace AccountGrains.Runtime.Cluster;

/// <summary>
/// The SQL of the membership table (<c>cluster_members</c>). Every time comparison uses the database's clock, so
/// members with skewed clocks still agree on who is silent.
/// </summary>
public sealed class MembershipTable(DbDataSource dataSource)
{
    private readonly DbDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    /// <summary>
    /// Adds <paramref name="memberId"/> as active, or makes an active or leaving row of the same id active again. A
    /// member declared dead stays dead: registering its id again throws.
    /// </summary>
    public async Task RegisterAsync(string memberId, ClusterMemberKind kind, string address, CancellationToken cancellationToken = default)
    {
        const string sql = """
            INSERT INTO cluster_members (member_id, kind, address, started_at, heartbeat_at, status)
            VALUES (@id, @kind, @address, clock_timestamp(), clock_timestamp(), 'active')
            ON CONFLICT (member_id) DO UPDATE
                SET kind = excluded.kind, address = excluded.address, started_at = excluded.started_at,
                    heartbeat_at = excluded.heartbeat_at, status = 'active'
                WHERE cluster_members.status <> 'dead'
            """;
        var rows = await ExecuteAsync(sql, cancellationToken, ("id", memberId), ("kind", KindText(kind)), ("address", address)).ConfigureAwait(false);
        if (rows == 0)
        {
            throw new InvalidOperationException(
                $"Cluster member '{memberId}' was declared dead and cannot rejoin under the same id; start with a new AccountGrains:Cluster:MemberId.");
        }
    }

    /// <summary>Refreshes the heartbeat. False when the member is no longer active (declared dead, or its row is gone).</summary>
    public async Task<bool> HeartbeatAsync(string memberId, CancellationToken cancellationToken = default)
    {
        const string sql = "UPDATE cluster_members SET heartbeat_at = clock_timestamp() WHERE member_id = @id AND status = 'active'";
        return await ExecuteAsync(sql, cancellationToken, ("id", memberId)).ConfigureAwait(false) > 0;
    }

    /// <summary>Active members whose heartbeat is younger than <paramref name="deadAfter"/>, ordered by member id.</summary>
    public Task<IReadOnlyList<ClusterMember>> ListLiveAsync(TimeSpan deadAfter, CancellationToken cancellationToken = default) =>
        QueryAsync(
            $"{SelectMembers} WHERE status = 'active' AND heartbeat_at >= clock_timestamp() - @deadAfter ORDER BY member_id",
            cancellationToken, ("deadAfter", deadAfter));

    /// <summary>Every row, whatever its status, ordered by member id.</summary>
    public Task<IReadOnlyList<ClusterMember>> ListAllAsync(CancellationToken cancellationToken = default) =>
        QueryAsync($"{SelectMembers} ORDER BY member_id", cancellationToken);

    /// <summary>
    /// Declares dead every active or leaving member (other than <paramref name="declaredBy"/>) whose heartbeat is
    /// older than <paramref name="deadAfter"/>; returns their ids. Idempotent: a dead member is not declared twice.
    /// </summary>
    public async Task<IReadOnlyList<string>> DeclareSilentMembersDeadAsync(string declaredBy, TimeSpan deadAfter, CancellationToken cancellationToken = default)
    {
        const string sql = """
            UPDATE cluster_members
               SET status = 'dead', declared_dead_by = @by, declared_dead_at = clock_timestamp()
             WHERE status IN ('active', 'leaving') AND member_id <> @by AND heartbeat_at < clock_timestamp() - @deadAfter
            RETURNING member_id
            """;
        await using var command = CreateCommand(sql, ("by", declaredBy), ("deadAfter", deadAfter));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Deletes rows of members declared dead longer than <paramref name="cleanupAfter"/> ago; returns how many.</summary>
    public Task<int> DeleteDeadAsync(TimeSpan cleanupAfter, CancellationToken cancellationToken = default) =>
        ExecuteAsync(
            "DELETE FROM cluster_members WHERE status = 'dead' AND declared_dead_at < clock_timestamp() - @cleanupAfter",
            cancellationToken, ("cleanupAfter", cleanupAfter));

    /// <summary>Marks the member leaving (others stop counting it at once), then deletes its row.</summary>
    public async Task LeaveAsync(string memberId, CancellationToken cancellationToken = default)
    {
        await ExecuteAsync("UPDATE cluster_members SET status = 'leaving' WHERE member_id = @id AND status = 'active'",
            cancellationToken, ("id", memberId)).ConfigureAwait(false);
        await ExecuteAsync("DELETE FROM cluster_members WHERE member_id = @id AND status = 'leaving'",
            cancellationToken, ("id", memberId)).ConfigureAwait(false);
    }

    private const string SelectMembers =
        "SELECT member_id, kind, address, started_at, heartbeat_at, status, declared_dead_by FROM cluster_members";

    private async Task<IReadOnlyList<ClusterMember>> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = CreateCommand(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var members = new List<ClusterMember>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            members.Add(new ClusterMember(
                reader.GetString(0),
                reader.GetString(1) == "gateway" ? ClusterMemberKind.Gateway : ClusterMemberKind.Silo,
                reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetString(5) switch { "active" => ClusterMemberStatus.Active, "leaving" => ClusterMemberStatus.Leaving, _ => ClusterMemberStatus.Dead },
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return members;
    }

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = CreateCommand(sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private DbCommand CreateCommand(string sql, params (string Name, object Value)[] parameters) =>
        ClusterCommands.Create(_dataSource, sql, parameters);

    private static string KindText(ClusterMemberKind kind) => kind == ClusterMemberKind.Gateway ? "gateway" : "silo";
}
