// What one kiosk token (or none) can make a real daphne worker do, measured on the worker:
// a 100 MB frame is refused as it arrives (the worker's RSS, read from /proc, barely moves),
// 201 connections with one token leave exactly KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK open,
// and 500 bad-token handshakes cost a bounded number of token lookups (every SQL statement
// the worker runs is counted by a settings module of this test's own) and log lines.
// daphne runs as the README says to deploy it: `python -m kiosk_fleet.serve`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { prepareDjango, type Daphne, type DjangoProject } from '../support/django.ts';

const CAP = 3; // the default KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK
const PER_MINUTE = 10; // the default KIOSK_FLEET_REFUSED_HANDSHAKES_PER_MINUTE

const SETTINGS = `
import os, sys
from example.settings import *  # noqa: F401,F403
from django.db.backends.signals import connection_created

KIOSK_FLEET_REFUSAL_LOG_INTERVAL_SECONDS = 1
_log = open(os.environ["LIMITS_TEST_QUERY_LOG"], "a", buffering=1)

def _count(execute, sql, params, many, context):
    _log.write(("token-lookup" if "token_hash" in sql and "SELECT" in sql else "query") + "\\n")
    return execute(sql, params, many, context)

def _wrap(sender, connection, **kwargs):
    if _count not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count)

connection_created.connect(_wrap, weak=False)
`;

function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1]);
}

interface Outcome {
  socket: WebSocket;
  /** 'open' (still open after the wait), 'refused' (HTTP status instead of 101) or the close code. */
  result: 'open' | 'refused' | number;
}

/** Opens a socket and reports what became of it within `settleMs` of opening. */
function attempt(url: string, token: string | null, settleMs = 1500): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = token ? { authorization: `Token ${token}` } : {};
    const socket = new WebSocket(url, { headers });
    let timer: NodeJS.Timeout | undefined;
    socket.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ socket, result: 'refused' });
      socket.terminate();
    });
    socket.on('error', () => resolve({ socket, result: 'refused' }));
    socket.on('open', () => (timer = setTimeout(() => resolve({ socket, result: 'open' }), settleMs)));
    socket.on('close', (code) => {
      clearTimeout(timer);
      resolve({ socket, result: code });
    });
  });
}

function closed(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) resolve(1006);
    socket.on('close', (code) => resolve(code));
    socket.on('error', () => undefined);
  });
}

describe('limits where the bytes arrive, with a real daphne worker', () => {
  let project: DjangoProject;
  let daphne: Daphne;
  let queryLog: string;
  const tokens: Record<string, string> = {};
  const lookups = () => readFileSync(queryLog, 'utf8').split('\n').filter((l) => l === 'token-lookup').length;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-limits-'));
    writeFileSync(path.join(dir, 'limits_test_settings.py'), SETTINGS);
    queryLog = path.join(dir, 'queries.log');
    writeFileSync(queryLog, '');
    project = await prepareDjango({ PYTHONPATH: dir, DJANGO_SETTINGS_MODULE: 'limits_test_settings', LIMITS_TEST_QUERY_LOG: queryLog });
    for (const id of ['big-1', 'cap-1', 'known-1']) tokens[id] = await project.enroll(id, []);
    daphne = await project.startDaphne();
  });

  afterAll(async () => {
    await daphne?.stop();
  });

  it('refuses a 100 MB frame before the worker buffers it, and keeps serving', async () => {
    const pid = daphne.child.pid ?? 0;
    const first = await attempt(daphne.wsUrl, tokens['big-1'] ?? '', 300);
    expect(first.result).toBe('open');
    // A frame over the app's 64 KiB but under the server's limit: dropped by the consumer, the connection stays.
    first.socket.send('x'.repeat(100 * 1024));
    const before = rssKb(pid);
    const started = Date.now();
    first.socket.send(Buffer.alloc(100 * 1024 * 1024, 0x61), { binary: false });
    const code = await Promise.race([closed(first.socket), new Promise((resolve) => setTimeout(() => resolve('still open'), 10_000))]);
    const after = rssKb(pid);
    expect(code).toBe(1006); // autobahn dropped the TCP connection on the frame's header
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(after - before, `RSS ${before} kB -> ${after} kB`).toBeLessThan(4 * 1024);
    // The worker is fine, and a kiosk (the same one) connects again.
    const again = await attempt(daphne.wsUrl, tokens['big-1'] ?? '', 300);
    expect(again.result).toBe('open');
    again.socket.close();
    await closed(again.socket);
  });

  it(`leaves ${CAP} of 201 connections with one token open and refuses the rest`, async () => {
    const outcomes = await Promise.all(Array.from({ length: 201 }, () => attempt(daphne.wsUrl, tokens['cap-1'] ?? '')));
    const results = outcomes.map((o) => o.result);
    expect(results.filter((r) => r === 'open')).toHaveLength(CAP);
    // The others: over the cap (accepted, closed 4029) or, once the token's tickets were
    // used up, refused at the handshake without a query.
    expect(results.filter((r) => r !== 'open' && r !== 4029 && r !== 'refused')).toEqual([]);
    expect(results.filter((r) => r === 4029).length).toBeGreaterThan(0);
    // A 202nd, one by one, is refused too.
    expect((await attempt(daphne.wsUrl, tokens['cap-1'] ?? '', 300)).result).not.toBe('open');
    for (const o of outcomes) o.socket.terminate();
  });

  it('turns away 500 bad-token handshakes with a bounded number of lookups and log lines', async () => {
    // A kiosk that connected before the flood is not held up by it.
    const known = await attempt(daphne.wsUrl, tokens['known-1'] ?? '', 100);
    expect(known.result).toBe('open');
    known.socket.close();
    await closed(known.socket);

    await new Promise((resolve) => setTimeout(resolve, 2_200)); // the earlier tests' log windows close
    const lookupsBefore = lookups();
    const logBefore = daphne.stderr();
    const started = Date.now();
    const outcomes: Outcome[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const tokenOf = (i: number) => `kfk_flood-${batch}-${i}-${'x'.repeat(32)}`;
      outcomes.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => attempt(daphne.wsUrl, tokenOf(i), 100)))));
    }
    const seconds = (Date.now() - started) / 1000;
    expect(outcomes.map((o) => o.result).filter((r) => r !== 'refused')).toEqual([]);
    // The address's burst, what refilled meanwhile, and nothing per handshake.
    const spent = lookups() - lookupsBefore;
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(PER_MINUTE + Math.ceil((seconds * PER_MINUTE) / 60) + 1);

    const knownAgain = await attempt(daphne.wsUrl, tokens['known-1'] ?? '', 100);
    expect(knownAgain.result).toBe('open');
    knownAgain.socket.close();

    // One line at once, then one per second (the interval here) with the counts.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const log = daphne.stderr();
    expect(log.startsWith(logBefore), 'the worker logged more than the 8000 characters kept').toBe(true);
    const lines = log.slice(logBefore.length).split('\n').filter((l) => l.includes('refused'));
    expect(lines.length).toBeLessThanOrEqual(2 + Math.ceil(seconds));
    const counted = lines.map((l) => /refused (\d+) kiosk handshakes in the last/.exec(l)?.[1]).filter(Boolean).map(Number);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(500);
    expect(log).not.toContain('kfk_');
  });
});
