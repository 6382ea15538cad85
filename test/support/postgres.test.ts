// The throwaway cluster that the Django suite (scripts/test-django.ts), the e2e tests and the
// benches run on: it answers on its URL with its password, and stop() leaves nothing running
// or on the disk.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { postgresBinDir, startPostgres } from './postgres.ts';

const psql = (url: string, sql: string) => promisify(execFile)(`${postgresBinDir()}/psql`, [url, '-XAtqc', sql], { env: { PATH: process.env.PATH } });

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('startPostgres', () => {
  it('serves the kiosk database on its URL, only with the password, and is gone after stop()', async () => {
    const pg = await startPostgres();
    const url = new URL(pg.url);
    let dir = '';
    try {
      // Its socket lives in its own temporary directory (other runs may have one each at the same time).
      dir = (await psql(pg.url, 'SHOW unix_socket_directories')).stdout.trim();
      expect(path.dirname(dir)).toBe(os.tmpdir());
      expect(path.basename(dir)).toMatch(/^kiosk-pg-/);
      expect(existsSync(path.join(dir, 'data', 'PG_VERSION'))).toBe(true);
      expect(url.protocol).toBe('postgres:');
      expect(url.hostname).toBe('127.0.0.1');
      const { stdout } = await psql(pg.url, 'SELECT current_database(), current_user, rolcreatedb FROM pg_roles WHERE rolname = current_user');
      expect(stdout.trim()).toBe('kiosk|kiosk|t');
      const wrong = new URL(pg.url);
      wrong.password = 'not-the-password';
      await expect(psql(wrong.href, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    } finally {
      await pg.stop();
    }
    expect(await accepts(Number(url.port))).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });
});
