namespace AccountGrains.Runtime.Storage.AdoNet;

/// <summary>
/// What differs between the ADO.NET providers: column types, schema scripts and how many parameters one
/// statement may carry. The statements themselves (<c>INSERT .. ON CONFLICT .. DO UPDATE .. WHERE</c> with row-value
/// comparison) are shared: SQLite and PostgreSQL both speak them.
/// </summary>
public abstract class SqlDialect
{
    public abstract string Name { get; }

    /// <summary>Most bind parameters one statement may carry.</summary>
    public abstract int MaxParameters { get; }

    /// <summary>Schema scripts by version, applied in order; each runs once.</summary>
    public abstract IReadOnlyList<(int Version, string Script)> Migrations { get; }

    /// <summary>Statement run before migrating that serialises concurrent migrators (empty when not needed).</summary>
    public virtual string MigrationLock => string.Empty;
}
