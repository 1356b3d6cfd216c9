namespace AccountGrains.Runtime.Tests.TestSupport;

/// <summary>The stores a test opened, disposed with it (a PostgreSQL store owns a connection pool).</summary>
public sealed class OpenedStores : IAsyncDisposable
{
    private readonly List<object> _stores = [];

    public T Add<T>(T store)
        where T : class
    {
        _stores.Add(store);
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            if (store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }
}
