// `kiosk-shell reset` and `kiosk-shell command`: publish a reset or a command through the
// embedded demo upstream, as a site's admin would through its own, and print its id. (A
// real site sends them from its admin; see integrations/.)
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { COMMAND_NAMES } from '../../protocol/upstream.ts';
import { defaultStateDir } from '../machine-paths.ts';
import { readStateFile } from '../state-file.ts';
import { DEMO_STATE_FILE } from '../runtime.ts';

interface TargetOptions {
  kiosk?: string;
  group?: string;
}

export interface ResetOptions extends TargetOptions {
  reason?: string;
  id?: string;
}

export interface CommandOptions extends TargetOptions {
  when?: 'now' | 'idle';
  expiresIn?: number;
  arg?: string[];
}

const say = (line: string) => process.stderr.write(`kiosk-shell: ${line}\n`);

function targetOf({ kiosk, group }: TargetOptions) {
  return kiosk ? { kiosks: [kiosk] } : group ? { groups: [group] } : 'all';
}

export async function resetCommand(options: ResetOptions): Promise<number> {
  const id = options.id ?? `r-${randomBytes(6).toString('hex')}`;
  const message = { type: 'kiosk.reset', id, target: targetOf(options), ...(options.reason ? { reason: options.reason } : {}) };
  return publishToDemo(id, 'reset', message);
}

export async function commandCommand(name: string, options: CommandOptions): Promise<number> {
  if (!(COMMAND_NAMES as readonly string[]).includes(name)) {
    say(`unknown command "${name}"; one of ${COMMAND_NAMES.join(', ')}`);
    return 2;
  }
  const args: Record<string, string | number> = {};
  for (const pair of options.arg ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      say(`--arg ${pair}: write it as KEY=VALUE`);
      return 2;
    }
    const value = pair.slice(at + 1);
    args[pair.slice(0, at)] = /^\d+$/.test(value) ? Number(value) : value;
  }
  const id = `c-${randomBytes(6).toString('hex')}`;
  const message = {
    type: 'kiosk.command',
    id,
    command: name,
    target: targetOf(options),
    args,
    when: options.when ?? 'now',
    ...(options.expiresIn === undefined ? {} : { expiresAt: new Date(Date.now() + options.expiresIn * 1000).toISOString() }),
  };
  return publishToDemo(id, name, message);
}

async function publishToDemo(id: string, what: string, message: unknown): Promise<number> {
  const state = readStateFile(path.join(defaultStateDir(), DEMO_STATE_FILE)) as { publishUrl?: unknown; publisherToken?: unknown } | undefined;
  if (typeof state?.publishUrl !== 'string' || typeof state.publisherToken !== 'string') {
    say('no demo kiosk is running here (start one with `npm start`); a real site sends commands from its own admin');
    return 1;
  }
  let response: Response;
  try {
    response = await fetch(state.publishUrl, {
      method: 'POST',
      headers: { authorization: state.publisherToken, 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
  } catch {
    say('the demo kiosk is not answering (it may have stopped)');
    return 1;
  }
  if (!response.ok) {
    say(`the demo upstream refused the ${what} (HTTP ${response.status})`);
    return 1;
  }
  const { delivered } = (await response.json()) as { delivered: number };
  say(`${what} ${id} sent to ${delivered} kiosk connection(s)`);
  process.stdout.write(`${id}\n`);
  return 0;
}
