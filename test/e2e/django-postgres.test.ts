// The example backend on PostgreSQL, as a deployment runs it: migrated through DATABASE_URL,
// served by daphne with persistent connections. When the database drops every connection (a
// restart, a failover), the next request is served all the same: Django 4.1+ checks a kept
// connection before reusing it (CONN_HEALTH_CHECKS), and on 3.2 the example (for requests)
// and kiosk_fleet's database thread (for kiosk connections) do the same.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDjango, type Daphne, type DjangoProject } from '../support/django.ts';
import { postgresBinDir, startPostgres, type Postgres } from '../support/postgres.ts';

let pg: Postgres | undefined;
let project: DjangoProject;
let daphne: Daphne | undefined;

beforeAll(async () => {
  pg = await startPostgres();
  project = await prepareDjango({ DATABASE_URL: pg.url });
  daphne = await project.startDaphne();
}, 180_000);

afterAll(async () => {
  await daphne?.stop();
  await pg?.stop();
});

async function psql(url: string, sql: string): Promise<string> {
  const { stdout } = await promisify(execFile)(`${postgresBinDir()}/psql`, [url, '-XAtqc', sql], { env: { PATH: process.env.PATH } });
  return stdout.trim();
}

/** Opens a kiosk WebSocket; resolves with the HTTP status of a refusal, or 101 once accepted. */
function kioskHandshake(token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(daphne!.wsUrl, { headers: { Authorization: `Token ${token}` } });
    socket.once('open', () => (socket.close(), resolve(101)));
    socket.once('unexpected-response', (_request, response) => (socket.terminate(), resolve(response.statusCode ?? 0)));
    socket.once('error', reject);
  });
}

const closeEveryConnection = () =>
  psql(pg!.url, 'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');

describe('the Django backend on PostgreSQL', () => {
  it('answers the kiosk API after the database closed every connection', async () => {
    const token = await project.enroll('pg-lobby-1', ['lobby']);
    const events = () => fetch(`${daphne!.apiUrl}events/`, { headers: { Authorization: `Token ${token}` } });
    expect((await events()).status).toBe(200);
    expect(Number(await closeEveryConnection())).toBeGreaterThan(0); // daphne kept its connection open: there was one to close
    for (let i = 0; i < 3; i++) expect((await events()).status).toBe(200);
    expect(daphne!.stderr()).not.toMatch(/InterfaceError|OperationalError/);
  });

  it('admits a kiosk after the database closed the kiosk connections\' database thread\'s connection', async () => {
    const token = await project.enroll('pg-lobby-2', ['lobby']);
    expect(await kioskHandshake(token)).toBe(101); // the fleet's thread now holds a connection
    expect(Number(await closeEveryConnection())).toBeGreaterThan(0);
    expect(await kioskHandshake(token)).toBe(101);
    expect(daphne!.stderr()).not.toMatch(/InterfaceError|OperationalError/);
  });
});
