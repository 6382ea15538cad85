// The command journal: ids and their acks across restarts, unsent acks, bounds, and a
// flood that costs one write per interval.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandJournal } from '../../kiosk/command-journal.ts';
import type { AckFrame } from '../../protocol/upstream.ts';

const ack = (id: string, status: AckFrame['status'] = 'done'): AckFrame => ({ type: 'kiosk.ack', id, kiosk: 'k', command: 'home', status, ms: 5 });
const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'kiosk-journal-')), 'commands.json');

describe('the command journal', () => {
  it('keeps each id with its state and terminal ack, across a restart (a new journal on the same file)', () => {
    const where = file();
    const first = new CommandJournal(where);
    first.received('c-1', 'home', 100);
    first.finished('c-1', ack('c-1'));
    first.sent('c-1');
    first.received('c-2', 'restart', 200);
    first.lastReloadAt = 150;
    first.flush();

    const again = new CommandJournal(where);
    expect(again.get('c-1')).toMatchObject({ state: 'done', ack: ack('c-1'), ackSent: true });
    expect(again.unfinished().map((e) => e.id)).toEqual(['c-2']);
    expect(again.lastReloadAt).toBe(150);
  });

  it('lists terminal acks not yet sent, oldest first', () => {
    const journal = new CommandJournal(undefined);
    for (const id of ['a', 'b', 'c']) {
      journal.received(id, 'home', 1);
      journal.finished(id, ack(id));
    }
    journal.sent('b');
    expect(journal.unsent().map((e) => e.id)).toEqual(['a', 'c']);
  });

  it('forgets the oldest answered ids beyond its limit before any ack still owed', () => {
    const journal = new CommandJournal(undefined, { limit: 3 });
    journal.received('owed', 'home', 1);
    journal.finished('owed', ack('owed'));
    for (const id of ['x', 'y', 'z']) {
      journal.received(id, 'home', 1);
      journal.finished(id, ack(id));
      journal.sent(id);
    }
    expect(journal.get('owed')).toBeDefined();
    expect(journal.get('x')).toBeUndefined();
    expect(journal.get('z')).toBeDefined();
  });

  it('writes a flood of changes once per interval, not once per change', async () => {
    const where = file();
    const journal = new CommandJournal(where, { saveDelayMs: 100 });
    for (let i = 0; i < 1000; i++) {
      journal.received(`f-${i}`, 'reset', i);
      journal.finished(`f-${i}`, ack(`f-${i}`, 'ignored'));
    }
    expect(() => readFileSync(where)).toThrow();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const saved = JSON.parse(readFileSync(where, 'utf8')) as { entries: unknown[] };
    expect(saved.entries).toHaveLength(500);
  });

  it('starts empty from a corrupt or foreign file, and skips entries that are not entries', () => {
    const where = file();
    writeFileSync(where, '{not json');
    expect(new CommandJournal(where).unsent()).toEqual([]);
    writeFileSync(where, JSON.stringify({ entries: [{ id: 'ok', command: 'home', receivedAt: 1, state: 'done', ackSent: true }, { id: 7 }, null, 'x'], lastReloadAt: 'soon' }));
    const journal = new CommandJournal(where);
    expect(journal.get('ok')).toBeDefined();
    expect(journal.lastReloadAt).toBeUndefined();
  });
});
