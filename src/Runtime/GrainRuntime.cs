using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Configuration;
using AccountGrains.Runtime.Messaging;
using AccountGrains.Runtime.Partitioning;
using AccountGrains.Runtime.Transport;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime;

/// <summary>
/// The caller's side of the runtime: hands out grain references and routes their calls to the partition that owns
/// the key. <c>grains.Get&lt;IAccountGrain&gt;(pubkey).GetSnapshotAsync()</c> works the same in embedded mode and in
/// a cluster; only the transport differs.
/// </summary>
public sealed class GrainRuntime : IGrainFactory, IGrainCallRouter
{
    private readonly GrainTypeRegistry _types;
    private readonly IMessageTransport _transport;
    private readonly int _partitionCount;

    public GrainRuntime(GrainTypeRegistry types, IMessageTransport transport, IOptions<GrainRuntimeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _types = types;
        _transport = transport;
        _partitionCount = options.Value.PartitionCount;
    }

    public TGrain Get<TGrain>(string key)
        where TGrain : IGrain
    {
        var id = new GrainId(_types.TypeNameFor(typeof(TGrain)), key);
        return GrainProxy.Create<TGrain>(id, this);
    }

    public int PartitionOf(GrainId id) => PartitionHash.PartitionOf(id.Key, _partitionCount);

    public ValueTask SendAsync(GrainMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _transport.SendAsync(PartitionOf(message.Target), message, cancellationToken);
    }
}
