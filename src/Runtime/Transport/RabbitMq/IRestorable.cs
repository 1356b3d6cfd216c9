namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>
/// Something that lives on the broker and must exist again after a reconnect: declared queues, exchanges, bindings,
/// consumers. <see cref="RabbitMqConnection"/> restores them in the order they registered (topology before consumers).
/// </summary>
internal interface IRestorable
{
    /// <summary>Names the part in logs ("partition queues t1.partition.0..3", "consumer of t1.partition.2").</summary>
    string Part { get; }

    /// <summary>Declares again (idempotently) and re-opens channels and consumers.</summary>
    Task RestoreAsync(CancellationToken cancellationToken);
}
