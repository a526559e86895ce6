/**
 * Debian's PostgreSQL as a child process owned by this Node process (stoppable by PID).
 * Tuned for throwaway local data: no fsync, no synchronous commit, no full-page writes.
 * Loopback connections use `password` auth: SCRAM would cost ~150 ms per connection in Node.
 * PostgreSQL refuses to run as root, so as root the data folder belongs to the `postgres` system user and
 * initdb/postgres are spawned with its uid/gid (the spawned PID is the postmaster itself, unlike runuser).
 */
import { execFile } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { findProgram, isAlive, MissingDependencyError, spawnManaged, waitFor } from "../lib/process.ts";

const run = promisify(execFile);

const INSTALL_HINT = "PostgreSQL not found: sudo apt-get install -y --no-install-recommends postgresql";
const USER = "postgres";
// Local-only credentials: the server listens on 127.0.0.1 and holds throwaway dev data.
const PASSWORD = "postgres";
const READY_LINE = "database system is ready to accept connections";
// sockaddr_un.sun_path is 108 bytes including the terminator.
const MAX_SOCKET_PATH = 107;

export interface SystemPostgres {
  user: string;
  password: string;
  stop(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

export async function startSystemPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
}): Promise<SystemPostgres> {
  const bin = findBinDir();
  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", TZ: "UTC" };
  const dataDir = prepareDataDir(opts.dataDir, runAs);

  if (!existsSync(join(dataDir, "PG_VERSION"))) await initdb(bin, dataDir, runAs, env);
  await clearStalePid(dataDir);

  const socketDir = `${dataDir}/.s.PGSQL.${opts.port}`.length <= MAX_SOCKET_PATH ? dataDir : "";
  const settings = {
    listen_addresses: "127.0.0.1",
    unix_socket_directories: socketDir,
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    // A local engine may use some memory: room for a settlement batch marking 1M ledger rows in
    // one transaction without a checkpoint storm (decision 011; the Postgres defaults are 128MB / 1GB).
    shared_buffers: "1GB",
    max_wal_size: "4GB",
    checkpoint_timeout: "15min",
  };
  const args = ["-D", dataDir, "-p", String(opts.port)];
  for (const [name, value] of Object.entries(settings)) args.push("-c", `${name}=${value}`);
  const proc = spawnManaged(join(bin, "postgres"), args, { env, ...runAs });

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      // SIGINT is Postgres' "fast" shutdown (disconnect clients); SIGTERM would wait for every client to leave.
      try {
        process.kill(proc.pid, "SIGINT");
      } catch {}
      await proc.stop(10_000);
    })();
    return stopped;
  };
  try {
    await waitFor("PostgreSQL", async () => proc.output().includes(READY_LINE), 30_000, proc);
    if (opts.database !== "postgres") await createDatabase(bin, opts.port, opts.database);
  } catch (error) {
    await stop();
    throw error;
  }
  return { user: USER, password: PASSWORD, stop };
}

/** Newest /usr/lib/postgresql/<version>/bin, else the folder of `postgres` on PATH. */
function findBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "postgres")) && existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    : [];
  if (versions[0]) return join(root, versions[0], "bin");
  const onPath = findProgram("postgres");
  if (onPath) {
    const dir = dirname(realpathSync(onPath));
    if (existsSync(join(dir, "initdb"))) return dir;
  }
  throw new MissingDependencyError(INSTALL_HINT);
}

function postgresUser(): RunAs {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${USER}:`));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (!uid || !gid) {
    throw new MissingDependencyError(
      `running as root needs the '${USER}' system user: sudo apt-get install -y postgresql`,
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}

/** Creates the folder (mode 0700, owned by the server's user) and checks that user can reach it. */
function prepareDataDir(path: string, runAs: RunAs | undefined): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const dataDir = realpathSync(path);
  chmodSync(dataDir, 0o700);
  if (!runAs) return dataDir;
  if (statSync(dataDir).uid !== runAs.uid) chownTree(dataDir, runAs);
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    const st = statSync(dir);
    const searchable = (st.mode & 0o001) !== 0 || (st.uid === runAs.uid && (st.mode & 0o100) !== 0);
    if (!searchable)
      throw new Error(`the ${USER} user cannot reach ${dataDir}: ${dir} is not searchable (pick another dataDir)`);
  }
  return dataDir;
}

function chownTree(path: string, runAs: RunAs): void {
  chownSync(path, runAs.uid, runAs.gid);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), runAs);
}

async function initdb(bin: string, dataDir: string, runAs: RunAs | undefined, env: NodeJS.ProcessEnv): Promise<void> {
  const pwDir = mkdtempSync(join(tmpdir(), "proxygate-pw-"));
  const pwFile = join(pwDir, "pw");
  writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(pwDir, runAs.uid, runAs.gid);
    chownSync(pwFile, runAs.uid, runAs.gid);
  }
  try {
    await run(
      join(bin, "initdb"),
      [
        "-D",
        dataDir,
        "-U",
        USER,
        `--pwfile=${pwFile}`,
        "--auth-host=password",
        "--auth-local=trust",
        "--no-sync",
        "--no-instructions",
        "-E",
        "UTF8",
        "--locale=C",
      ],
      { env, ...runAs },
    );
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`initdb failed for ${dataDir}${stderr ? `: ${stderr}` : ""}`);
  } finally {
    rmSync(pwDir, { recursive: true, force: true });
  }
}

/**
 * A postmaster.pid left by a crash: if it names a live postmaster of this very folder (an orphan from an
 * earlier dev run that was killed hard), fast-shut it down; if its PID is gone or reused by another
 * program, remove the file (Postgres itself refuses to start when the PID belongs to something alive).
 */
async function clearStalePid(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0 && isPostmasterOf(pid, dataDir)) {
    process.kill(pid, "SIGINT");
    await waitFor(`old PostgreSQL (pid ${pid}) to stop`, async () => !isAlive(pid), 15_000);
  }
  if (existsSync(pidFile)) unlinkSync(pidFile);
}

function isPostmasterOf(pid: number, dataDir: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmd.split("\0")[0]?.endsWith("postgres") === true && readlinkSync(`/proc/${pid}/cwd`) === dataDir;
  } catch {
    return false;
  }
}

async function createDatabase(bin: string, port: number, database: string): Promise<void> {
  const psql = (sql: string) =>
    run(join(bin, "psql"), ["-h", "127.0.0.1", "-p", String(port), "-U", USER, "-d", "postgres", "-XtAqc", sql], {
      env: { PATH: process.env.PATH ?? "", PGPASSWORD: PASSWORD, PGCONNECT_TIMEOUT: "10" },
    });
  // The name was validated by the caller as a plain identifier, so quoting it is enough.
  const { stdout } = await psql(`SELECT 1 FROM pg_database WHERE datname = '${database}'`);
  if (stdout.trim() !== "1") await psql(`CREATE DATABASE "${database}"`);
}
