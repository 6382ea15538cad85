// A throwaway PostgreSQL cluster for one test run: initdb into a temporary directory, a free
// loopback port, the Unix socket in that directory, a database `kiosk`, and everything removed
// again by stop(). Nothing depends on the machine's own clusters (Debian's `main` may be down,
// missing or someone else's). As root, initdb and postgres run as the `postgres` user (they
// refuse root) through runuser, and the directory belongs to that user.
// Needs Debian's postgresql (any version; the newest installed is used).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';
import { waitFor } from './wait.ts';

export interface Postgres {
  /** `postgres://kiosk:PASSWORD@127.0.0.1:PORT/kiosk`: the role owns the database and may create test databases. */
  url: string;
  /** Fast shutdown (open connections are closed), then the directory is removed. */
  stop(): Promise<void>;
}

const PG_ROOT = '/usr/lib/postgresql';

/** The bin directory of the newest PostgreSQL installed from Debian's packages. */
export function postgresBinDir(): string {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => /^\d+$/.test(v) && existsSync(path.join(PG_ROOT, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) throw new Error(`no PostgreSQL server under ${PG_ROOT}: apt-get install postgresql (or run scripts/setup.sh --test)`);
  return path.join(PG_ROOT, newest, 'bin');
}

export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-pg-'));
  let child: ChildProcess | undefined;
  const cleanUpAtExit = () => {
    // The test process is going away without stop(): take the cluster with it.
    const pid = postmasterPid(dir);
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        /* already gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanUpAtExit);
  try {
    const data = path.join(dir, 'data');
    const password = randomBytes(18).toString('hex');
    const pwfile = path.join(dir, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (asRoot) {
      const { uid, gid } = postgresUser();
      chownSync(dir, uid, gid);
      chownSync(pwfile, uid, gid);
    }
    // As root: `runuser -u postgres -- CMD`; otherwise CMD as ourselves.
    const as = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
    // Local (socket) connections trust the cluster's OS user; TCP needs the password.
    await run(
      ...as(path.join(bin, 'initdb'), [
        '-D', data, '-U', 'kiosk', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256',
        '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions',
      ]),
      env,
    );
    rmSync(pwfile);
    const port = await freePort();
    let log = '';
    // A throwaway cluster needs no durability: no fsync makes migrations and tests several times faster.
    const [cmd, args] = as(path.join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
    ]);
    const started = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    started.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8000)));
    await waitFor(
      () => {
        if (started.exitCode !== null || started.signalCode !== null) throw new Error(`postgres exited at start: ${log}`);
        return postmasterStatus(data) === 'ready';
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'postgres' },
    );
    await run(...as(path.join(bin, 'psql'), ['-h', dir, '-p', String(port), '-U', 'kiosk', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', 'CREATE DATABASE kiosk']), env);
    return {
      url: `postgres://kiosk:${password}@127.0.0.1:${port}/kiosk`,
      async stop() {
        await stopPostmaster(started, data);
        rmSync(dir, { recursive: true, force: true });
        process.removeListener('exit', cleanUpAtExit);
      },
    };
  } catch (error) {
    if (child !== undefined) await stopPostmaster(child, path.join(dir, 'data'));
    rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', cleanUpAtExit);
    throw error;
  }
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as (apt-get install postgresql creates it)');
  return { uid: Number(uid), gid: Number(gid) };
}

async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await promisify(execFile)(cmd, args, { env, timeout: 60_000 });
  } catch (error) {
    const { stderr = '', message } = error as { stderr?: string; message: string };
    throw new Error(`${path.basename(args.find((a) => a.startsWith('/')) ?? cmd)} failed: ${stderr.trim() || message}`);
  }
}

/** The postmaster.pid lines: 1 the pid, 8 the status ("starting", "ready", "stopping"). */
function postmasterLines(data: string): string[] {
  try {
    return readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return [];
  }
}

function postmasterStatus(data: string): string | undefined {
  return postmasterLines(data)[7]?.trim();
}

function postmasterPid(dir: string): number | undefined {
  const pid = Number(postmasterLines(path.join(dir, 'data'))[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function stopPostmaster(child: ChildProcess, data: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // SIGINT is PostgreSQL's fast shutdown. Send it to the postmaster itself: runuser would turn
  // it into SIGTERM (smart shutdown), which waits for every client to disconnect.
  const pid = Number(postmasterLines(data)[0]);
  try {
    process.kill(Number.isInteger(pid) && pid > 0 ? pid : (child.pid ?? 0), 'SIGINT');
  } catch {
    /* already gone */
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
