namespace AccountGrains.Client;

/// <summary>The gateway answered with an error body: <see cref="Code"/> is its stable snake_case code.</summary>
public sealed class AccountGrainsException : Exception
{
    public AccountGrainsException(string code, string message)
        : base(message) => Code = code;

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
