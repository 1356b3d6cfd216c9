using AccountGrains.Runtime.Storage.AdoNet;

namespace AccountGrains.Runtime.Storage.Sqlite;

/// <summary>SQLite: the embedded store. Needs SQLite 3.24+ for upsert and 3.15+ for row values (bundled is newer).</summary>
public sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    public override string Name => "sqlite";

    // SQLite allows 32766 parameters per statement (3.32+), but binding named parameters costs time quadratic in their
    // number per statement (each name is looked up by scanning the statement's names): at 32000, one 2000-row batch
    // took over 3 s. 512 (32 rows per statement) writes 5000 rows in well under a second.
    public override int MaxParameters => 512;

    public override IReadOnlyList<(int Version, string Script)> Migrations { get; } =
    [
        (1, """
            CREATE TABLE IF NOT EXISTS accounts (
                pubkey TEXT PRIMARY KEY NOT NULL,
                owner TEXT NOT NULL,
                lamports INTEGER NOT NULL,
                data BLOB NOT NULL,
                executable INTEGER NOT NULL,
                rent_epoch INTEGER NOT NULL,
                slot INTEGER NOT NULL,
                write_version INTEGER NOT NULL,
                txn_signature TEXT NULL,
                program TEXT NOT NULL,
                account_type TEXT NOT NULL,
                fields_json BLOB NOT NULL,
                decode_error TEXT NULL,
                created_at_ms INTEGER NOT NULL,
                epoch INTEGER NOT NULL,
                updated_at_ms INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS accounts_owner ON accounts (owner, account_type);
            """),
    ];
}
