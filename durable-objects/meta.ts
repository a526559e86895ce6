/**
 * The `meta` table every Durable Object keeps in its SQLite storage: a key/value row per fact,
 * starting with the storage schema version so later migrations know where they start from.
 */
export function initMeta(sql: SqlStorage, schemaVersion: number): void {
  sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  sql.exec(
    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING",
    String(schemaVersion),
  );
}

export function readSchemaVersion(sql: SqlStorage): number {
  return Number(sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").one().value);
}
