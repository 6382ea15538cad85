// What may cross the relay, in each direction. Frames are classified here, once; the
// relay only acts on the verdict.
//
//   upstream → kiosk: `kiosk.reset` and legacy resets become control events; other JSON
//     objects go to the page unchanged; anything else is dropped and counted.
//   page → upstream: `local.*` messages are for the shell; a type in relay.allowUp is
//     forwarded; anything else is dropped and counted.
import { z } from 'zod';

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const RESET_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const resetTargetSchema = z.union([
  z.literal('all'),
  z.strictObject({ kiosks: z.array(z.string().regex(ID)).min(1).max(10_000) }),
  z.strictObject({ groups: z.array(z.string().regex(ID)).min(1).max(1000) }),
]);
export type ResetTarget = z.infer<typeof resetTargetSchema>;

const resetMessageSchema = z.object({
  type: z.literal('kiosk.reset'),
  id: z.string().regex(RESET_ID),
  target: resetTargetSchema,
  reason: z.string().max(500).optional(),
});

/** A reset as the kiosk controller sees it. Legacy resets have no id and target everyone. */
export interface ResetCommand {
  id: string | null;
  target: ResetTarget;
  reason?: string;
}

export type DownstreamVerdict =
  | { kind: 'reset'; reset: ResetCommand }
  | { kind: 'forward'; text: string }
  | { kind: 'drop'; reason: 'binary' | 'not-json' | 'bad-reset' | 'reserved-type' };

export function classifyDownstream(data: Buffer, isBinary: boolean): DownstreamVerdict {
  if (isBinary) return { kind: 'drop', reason: 'binary' };
  const text = data.toString('utf8');
  if (text.trim() === 'reset') return { kind: 'reset', reset: { id: null, target: 'all' } };
  const message = parseObject(text);
  if (message === undefined) return { kind: 'drop', reason: 'not-json' };
  if (message.type === 'reset') return { kind: 'reset', reset: { id: null, target: 'all' } };
  if (message.type === 'kiosk.reset') {
    const parsed = resetMessageSchema.safeParse(message);
    if (!parsed.success) return { kind: 'drop', reason: 'bad-reset' };
    const { id, target, reason } = parsed.data;
    return { kind: 'reset', reset: reason === undefined ? { id, target } : { id, target, reason } };
  }
  // The page trusts local.* messages as the shell's own; the upstream may not forge them.
  if (typeof message.type === 'string' && message.type.startsWith('local.')) return { kind: 'drop', reason: 'reserved-type' };
  return { kind: 'forward', text };
}

/** Messages the page sends to the shell itself (never forwarded upstream). */
export type LocalMessage = { type: 'local.shown'; home: boolean } | { type: 'local.heartbeat'; shown: boolean };

const localMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local.shown'), home: z.boolean().default(true) }),
  z.object({ type: z.literal('local.heartbeat'), shown: z.boolean().default(true) }),
]);

export type UpstreamVerdict =
  | { kind: 'local'; message: LocalMessage }
  | { kind: 'forward'; text: string; type: string }
  | { kind: 'drop'; reason: 'binary' | 'not-json' | 'not-allowed' | 'bad-local' };

export function classifyUpstreamBound(data: Buffer, isBinary: boolean, allowUp: ReadonlySet<string>): UpstreamVerdict {
  if (isBinary) return { kind: 'drop', reason: 'binary' };
  const text = data.toString('utf8');
  const message = parseObject(text);
  if (message === undefined) return { kind: 'drop', reason: 'not-json' };
  const type = message.type;
  if (typeof type !== 'string') return { kind: 'drop', reason: 'not-allowed' };
  if (type.startsWith('local.')) {
    const parsed = localMessageSchema.safeParse(message);
    return parsed.success ? { kind: 'local', message: parsed.data } : { kind: 'drop', reason: 'bad-local' };
  }
  // kiosk.* (hello, ack, status) are the shell's to send; the config cannot allow them,
  // and this check keeps it so even if a caller skipped validation.
  if (type.startsWith('kiosk.') || !allowUp.has(type)) return { kind: 'drop', reason: 'not-allowed' };
  // Re-serialised, not passed as received: what the upstream parses is exactly what was
  // checked here (a duplicate "type" key cannot mean one thing here and another there).
  return { kind: 'forward', text: JSON.stringify(message), type };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Does a reset target this kiosk? */
export function targetsKiosk(target: ResetTarget, kioskId: string, groups: readonly string[]): boolean {
  if (target === 'all') return true;
  if ('kiosks' in target) return target.kiosks.includes(kioskId);
  return target.groups.some((group) => groups.includes(group));
}
