// `kiosk-shell reset`: publishes a reset through the embedded demo upstream, as a site's
// admin would through its own. (A real site resets from its admin; see integrations/.)
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { defaultStateDir } from '../machine-paths.ts';
import { readStateFile } from '../state-file.ts';
import { DEMO_STATE_FILE } from '../runtime.ts';

export interface ResetOptions {
  kiosk?: string;
  group?: string;
  reason?: string;
  id?: string;
}

export async function resetCommand(options: ResetOptions): Promise<number> {
  const state = readStateFile(path.join(defaultStateDir(), DEMO_STATE_FILE)) as { publishUrl?: unknown; publisherToken?: unknown } | undefined;
  if (typeof state?.publishUrl !== 'string' || typeof state.publisherToken !== 'string') {
    process.stderr.write('kiosk-shell: no demo kiosk is running here (start one with `npm start`); a real site resets from its own admin\n');
    return 1;
  }
  const id = options.id ?? `r-${randomBytes(6).toString('hex')}`;
  const target = options.kiosk ? { kiosks: [options.kiosk] } : options.group ? { groups: [options.group] } : 'all';
  const message = { type: 'kiosk.reset', id, target, ...(options.reason ? { reason: options.reason } : {}) };
  let response: Response;
  try {
    response = await fetch(state.publishUrl, {
      method: 'POST',
      headers: { authorization: state.publisherToken, 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
  } catch {
    process.stderr.write('kiosk-shell: the demo kiosk is not answering (it may have stopped)\n');
    return 1;
  }
  if (!response.ok) {
    process.stderr.write(`kiosk-shell: the demo upstream refused the reset (HTTP ${response.status})\n`);
    return 1;
  }
  const { delivered } = (await response.json()) as { delivered: number };
  process.stderr.write(`kiosk-shell: reset ${id} sent to ${delivered} kiosk connection(s)\n`);
  process.stdout.write(`${id}\n`);
  return 0;
}
