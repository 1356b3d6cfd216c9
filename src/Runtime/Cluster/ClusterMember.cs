namespace AccountGrains.Runtime.Cluster;

/// <summary>One row of the membership table. Times are the database's.</summary>
public sealed record ClusterMember(
    string MemberId,
    ClusterMemberKind Kind,
    string Address,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    ClusterMemberStatus Status,
    string? DeclaredDeadBy);

/// <summary>Where a member is in its life.</summary>
public enum ClusterMemberStatus
{
    /// <summary>Heartbeating; counts as live while its heartbeat is fresh.</summary>
    Active,

    /// <summary>Leaving gracefully; its row is deleted next.</summary>
    Leaving,

    /// <summary>Declared dead by another member after its heartbeat went silent; never active again.</summary>
    Dead,
}
