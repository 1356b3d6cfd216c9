namespace AccountGrains.Client;

/// <summary>
/// The error of both clients: the gateway answered with an error body (<see cref="AccountGrainsClient"/>), or a call
/// into the cluster failed, timed out or was refused (<see cref="Cluster.AccountGrainsClusterClient"/>, codes in
/// <see cref="Cluster.ClusterErrorCodes"/>). <see cref="Code"/> is a stable snake_case code to branch on; the message
/// says what went wrong and what to do.
/// </summary>
public sealed class AccountGrainsException : Exception
{
    public AccountGrainsException(string code, string message)
        : base(message) => Code = code;

    public AccountGrainsException(string code, string message, Exception? innerException)
        : base(message, innerException) => Code = code;

    public AccountGrainsException()
        : this("unknown", "the gateway reported an error")
    {
    }

    public AccountGrainsException(string message)
        : this("unknown", message)
    {
    }

    public AccountGrainsException(string message, Exception innerException)
        : base(message, innerException) => Code = "unknown";

    public string Code { get; }
}
