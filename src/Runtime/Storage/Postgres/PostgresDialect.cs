using AccountGrains.Runtime.Storage.AdoNet;

namespace AccountGrains.Runtime.Storage.Postgres;

/// <summary>
/// PostgreSQL: the cluster store. u64 values are bigint in two's complement (as <c>AccountTable</c> maps them), bytes
/// are bytea. Migrations take a transaction-scoped advisory lock first, so several processes can migrate at once.
/// </summary>
public sealed class PostgresDialect : SqlDialect
{
    public static readonly PostgresDialect Instance = new();

    public override string Name => "postgres";

    // The protocol's limit; the store writes batches with array parameters (PostgresAccountStore) and does not use it.
    public override int MaxParameters => 65_535;

    // Keyed by the schema, so stores in different schemas of one database do not wait for each other.
    public override string MigrationLock => "SELECT pg_advisory_xact_lock(hashtext('accountgrains.migrate'), hashtext(current_schema()))";

    public override IReadOnlyList<(int Version, string Script)> Migrations { get; } =
    [
        (1, """
            CREATE TABLE IF NOT EXISTS accounts (
                pubkey text PRIMARY KEY,
                owner text NOT NULL,
                lamports bigint NOT NULL,
                data bytea NOT NULL,
                executable boolean NOT NULL,
                rent_epoch bigint NOT NULL,
                slot bigint NOT NULL,
                write_version bigint NOT NULL,
                txn_signature text NULL,
                program text NOT NULL,
                account_type text NOT NULL,
                fields_json bytea NOT NULL,
                decode_error text NULL,
                created_at_ms bigint NOT NULL,
                epoch bigint NOT NULL,
                updated_at_ms bigint NOT NULL
            );
            """),
        (2, """
            CREATE TABLE IF NOT EXISTS interest (
                id text PRIMARY KEY,
                kind text NOT NULL,
                key text NOT NULL,
                filters text NOT NULL,
                added_at_ms bigint NOT NULL
            );
            CREATE TABLE IF NOT EXISTS ingest_checkpoints (
                source text PRIMARY KEY,
                slot bigint NOT NULL,
                updated_at_ms bigint NOT NULL
            );
            """),
        (3, """
            CREATE TABLE IF NOT EXISTS account_history (
                pubkey text NOT NULL,
                slot bigint NOT NULL,
                write_version bigint NOT NULL,
                owner text NOT NULL,
                lamports bigint NOT NULL,
                data bytea NOT NULL,
                txn_signature text NULL,
                written_at_ms bigint NOT NULL,
                PRIMARY KEY (pubkey, slot, write_version)
            );
            CREATE INDEX IF NOT EXISTS account_history_written_at ON account_history (written_at_ms);
            """),
        (4, """
            CREATE TABLE IF NOT EXISTS wallets (
                address text PRIMARY KEY,
                state text NOT NULL,
                tracked boolean NOT NULL,
                updated_at_ms bigint NOT NULL
            );
            CREATE TABLE IF NOT EXISTS wallet_activity (
                id bigserial PRIMARY KEY,
                address text NOT NULL,
                signature text NOT NULL,
                slot bigint NOT NULL,
                block_time bigint NULL,
                entry text NOT NULL,
                recorded_at_ms bigint NOT NULL,
                UNIQUE (address, signature)
            );
            CREATE INDEX IF NOT EXISTS wallet_activity_newest ON wallet_activity (address, slot DESC, id DESC);
            CREATE TABLE IF NOT EXISTS notification_dead_letters (
                id bigserial PRIMARY KEY,
                sink text NOT NULL,
                wallet text NOT NULL,
                signature text NOT NULL,
                attempts integer NOT NULL,
                last_error text NOT NULL,
                payload text NOT NULL,
                failed_at_ms bigint NOT NULL
            );
            CREATE INDEX IF NOT EXISTS notification_dead_letters_wallet ON notification_dead_letters (wallet, id);
            """),
    ];
}
