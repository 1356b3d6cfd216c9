using AccountGrains.Runtime.Storage.AdoNet;

// Measured on 20,000 token-account states written in batches of 2,000 (bench/, Release, 2 cores):
//   WITHOUT ROWID table, 128 rows per statement  2.10 s
//   WITHOUT ROWID table, 1 row per statement     0.72 s
//   rowid table, 1 row per statement             0.31 s
//   ... without the (owner, account_type) index  0.27 s
// Hence a rowid table (WITHOUT ROWID slows down with rows over ~1/20 of a page, and account data makes rows large),
// one reused prepared statement per batch (binding named parameters is quadratic in their number per statement, and
// in-process SQLite has no round trip to save), and no secondary index until a query needs one.

namespace AccountGrains.Runtime.Storage.Sqlite;

/// <summary>SQLite: the embedded store. Needs SQLite 3.24+ for upsert and 3.15+ for row values (bundled is newer).</summary>
public sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    public override string Name => "sqlite";

    // One row per statement (see the figures at the top).
    public override int MaxParameters => AccountTable.ColumnCount;

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
            );
            """),
        (2, """
            CREATE TABLE IF NOT EXISTS interest (
                id TEXT PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL,
                key TEXT NOT NULL,
                filters TEXT NOT NULL,
                added_at_ms INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS ingest_checkpoints (
                source TEXT PRIMARY KEY NOT NULL,
                slot INTEGER NOT NULL,
                updated_at_ms INTEGER NOT NULL
            );
            """),
        (3, """
            CREATE TABLE IF NOT EXISTS account_history (
                pubkey TEXT NOT NULL,
                slot INTEGER NOT NULL,
                write_version INTEGER NOT NULL,
                owner TEXT NOT NULL,
                lamports INTEGER NOT NULL,
                data BLOB NOT NULL,
                txn_signature TEXT NULL,
                written_at_ms INTEGER NOT NULL,
                PRIMARY KEY (pubkey, slot, write_version)
            );
            CREATE INDEX IF NOT EXISTS account_history_written_at ON account_history (written_at_ms);
            """),
        (4, """
            CREATE TABLE IF NOT EXISTS wallets (
                address TEXT PRIMARY KEY NOT NULL,
                state TEXT NOT NULL,
                tracked INTEGER NOT NULL,
                updated_at_ms INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS wallet_activity (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                address TEXT NOT NULL,
                signature TEXT NOT NULL,
                slot INTEGER NOT NULL,
                block_time INTEGER NULL,
                entry TEXT NOT NULL,
                recorded_at_ms INTEGER NOT NULL,
                UNIQUE (address, signature)
            );
            CREATE INDEX IF NOT EXISTS wallet_activity_newest ON wallet_activity (address, slot DESC, id DESC);
            CREATE TABLE IF NOT EXISTS notification_dead_letters (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                sink TEXT NOT NULL,
                wallet TEXT NOT NULL,
                signature TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                last_error TEXT NOT NULL,
                payload TEXT NOT NULL,
                failed_at_ms INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS notification_dead_letters_wallet ON notification_dead_letters (wallet, id);
            """),
    ];
}
