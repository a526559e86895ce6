/**
 * Postgres advisory lock key guarding ledger_entries id allocation (decision 011, low-water mark).
 * Every transaction inserting ledger entries holds it SHARED (`pg_advisory_xact_lock_shared`) from
 * before its INSERT to its end; the settlement planner takes it EXCLUSIVE for an instant before its
 * snapshot, so every id allocated before that instant is committed or aborted by then, and every
 * id allocated after it is larger. That is what lets the planner skip ids below its low-water mark.
 */
export const LEDGER_WRITE_LOCK = 0x7067_6c65; // "pgle"
