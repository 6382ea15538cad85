// The wire between the kiosk and its upstream pub/sub server (JSON text frames), as the
// brief fixes it. Pure: no Node, no DOM. The upstream is someone else's server: every
// frame is classified here, once, and a command that cannot be run still yields its id
// and a reason, so that it can be answered with a terminal `failed` ack.
//
//   upstream → kiosk (UpstreamToKiosk): kiosk.reset, legacy resets, kiosk.command;
//     anything else is for the page, forwarded unchanged (local.* excepted).
//   kiosk → upstream (KioskToUpstream): kiosk.hello, kiosk.ack, kiosk.status,
//     kiosk.screenshot; the page's own frames only of the types in relay.allowUp.
import { z } from 'zod';
import { LOCAL_PREFIX } from './page.ts';

/** The shell's namespace toward the upstream; the page may not send kiosk.* frames. */
export const KIOSK_PREFIX = 'kiosk.';

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const COMMAND_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** What `args` may weigh once serialised; a command needs a few fields, not kilobytes. */
export const MAX_ARGS_BYTES = 2048;
export const MAX_REASON_CHARS = 500;

export const targetSchema = z.union([
  z.literal('all'),
  z.strictObject({ kiosks: z.array(z.string().regex(NAME)).min(1).max(10_000) }),
  z.strictObject({ groups: z.array(z.string().regex(NAME)).min(1).max(1000) }),
]);
/** Who a reset or command is for: everyone, some kiosks by id, or some groups. */
export type Target = z.infer<typeof targetSchema>;

/** Does `target` include this kiosk? */
export function targetsKiosk(target: Target, kioskId: string, groups: readonly string[]): boolean {
  if (target === 'all') return true;
  if ('kiosks' in target) return target.kiosks.includes(kioskId);
  return target.groups.some((group) => groups.includes(group));
}

export const COMMAND_NAMES = ['reset', 'home', 'clear-session', 'restart', 'screenshot', 'display'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export function isCommandName(value: string): value is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(value);
}

export const SCREENSHOT_DEFAULT_MAX_WIDTH = 1280;

/** Each command's `args`; anything not listed is refused, so a typo fails loudly. */
const argsSchemas = {
  reset: z.strictObject({}),
  home: z.strictObject({}),
  'clear-session': z.strictObject({}),
  restart: z.strictObject({}),
  screenshot: z.strictObject({ maxWidth: z.int().min(16).max(7680).default(SCREENSHOT_DEFAULT_MAX_WIDTH) }),
  display: z.strictObject({ power: z.enum(['on', 'off']) }),
} as const satisfies Record<CommandName, z.ZodType>;

export type CommandArgs = { [N in CommandName]: z.output<(typeof argsSchemas)[N]> };

const isoTime = z.iso.datetime({ offset: true });

// Not strict: kiosk.reset stays as the first round fixed it, fields added since are ignored.
const resetSchema = z.object({
  type: z.literal('kiosk.reset'),
  id: z.string().regex(COMMAND_ID),
  target: targetSchema,
  reason: z.string().max(MAX_REASON_CHARS).optional(),
});

const commandSchema = z.strictObject({
  type: z.literal('kiosk.command'),
  id: z.string().regex(COMMAND_ID),
  command: z.string().min(1).max(64),
  target: targetSchema,
  args: z.record(z.string(), z.unknown()).default({}),
  when: z.enum(['now', 'idle']).default('now'),
  deadline: isoTime.optional(),
  expiresAt: isoTime.optional(),
  reason: z.string().max(MAX_REASON_CHARS).optional(),
});

/** A command as the kiosk runs it; a reset is the command `reset`. */
export type Command = {
  [N in CommandName]: {
    /** null only for a legacy reset (the text `reset` or `{"type":"reset"}`): nothing to acknowledge. */
    id: string | null;
    name: N;
    args: CommandArgs[N];
    target: Target;
    when: 'now' | 'idle';
    /** Epoch ms: a `when: idle` command runs at this time at the latest. */
    deadline?: number;
    /** Epoch ms: not run by then, not run at all. */
    expiresAt?: number;
    reason?: string;
    /** Which frame it came as: a kiosk.reset is acknowledged as the reset it was. */
    via: 'kiosk.reset' | 'kiosk.command' | 'legacy';
  };
}[CommandName];

/**
 * What the relay does with a frame from the upstream:
 *   command  — run it (a valid kiosk.reset, legacy reset or kiosk.command);
 *   refused  — a kiosk.command or kiosk.reset with a usable id that cannot be run: answer
 *              it `failed` with `reason` (unknown command, bad args, a date that is no date);
 *   forward  — for the page, unchanged;
 *   drop     — nothing anyone can act on, counted.
 */
export type UpstreamVerdict =
  | { kind: 'command'; command: Command }
  | { kind: 'refused'; id: string; command: string | null; reason: string }
  | { kind: 'forward'; text: string }
  | { kind: 'drop'; reason: 'binary' | 'not-json' | 'bad-command' | 'reserved-type' };

export function classifyUpstream(text: string): UpstreamVerdict {
  if (text.trim() === 'reset') return { kind: 'command', command: legacyReset() };
  const message = parseObject(text);
  if (message === undefined) return { kind: 'drop', reason: 'not-json' };
  switch (message.type) {
    case 'reset':
      return { kind: 'command', command: legacyReset() };
    case 'kiosk.reset':
      return classifyReset(message);
    case 'kiosk.command':
      return classifyCommand(message);
    default:
      // The page trusts local.* messages as the shell's own; the upstream may not forge them.
      if (typeof message.type === 'string' && message.type.startsWith(LOCAL_PREFIX)) return { kind: 'drop', reason: 'reserved-type' };
      return { kind: 'forward', text };
  }
}

function legacyReset(): Command {
  return { id: null, name: 'reset', args: {}, target: 'all', when: 'now', via: 'legacy' };
}

function classifyReset(message: Record<string, unknown>): UpstreamVerdict {
  const parsed = resetSchema.safeParse(message, { reportInput: true });
  if (!parsed.success) return refusedOrDrop(message, 'reset', parsed.error);
  const { id, target, reason } = parsed.data;
  return { kind: 'command', command: { id, name: 'reset', args: {}, target, when: 'now', via: 'kiosk.reset', ...(reason === undefined ? {} : { reason }) } };
}

function classifyCommand(message: Record<string, unknown>): UpstreamVerdict {
  const parsed = commandSchema.safeParse(message, { reportInput: true });
  if (!parsed.success) return refusedOrDrop(message, typeof message.command === 'string' ? message.command : null, parsed.error);
  const { id, command: name, target, when, deadline, expiresAt, reason } = parsed.data;
  if (!isCommandName(name)) return { kind: 'refused', id, command: name.slice(0, 64), reason: 'unknown-command' };
  if (JSON.stringify(parsed.data.args).length > MAX_ARGS_BYTES) return { kind: 'refused', id, command: name, reason: 'args-too-large' };
  const args = argsSchemas[name].safeParse(parsed.data.args, { reportInput: true });
  if (!args.success) return { kind: 'refused', id, command: name, reason: `bad-args: ${describe(args.error, 'args')}` };
  const command = {
    id,
    name,
    args: args.data,
    target,
    when,
    via: 'kiosk.command',
    ...(deadline === undefined ? {} : { deadline: Date.parse(deadline) }),
    ...(expiresAt === undefined ? {} : { expiresAt: Date.parse(expiresAt) }),
    ...(reason === undefined ? {} : { reason }),
  } as Command;
  return { kind: 'command', command };
}

/** A frame that names an id can be answered; one that does not is only counted. */
function refusedOrDrop(message: Record<string, unknown>, command: string | null, error: z.ZodError): UpstreamVerdict {
  const id = message.id;
  if (typeof id !== 'string' || !COMMAND_ID.test(id)) return { kind: 'drop', reason: 'bad-command' };
  return { kind: 'refused', id, command: command?.slice(0, 64) ?? null, reason: `malformed: ${describe(error)}` };
}

/** The first problem, by field path, in a few words (no values: they are the upstream's text). */
function describe(error: z.ZodError, prefix?: string): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const keys = issue.code === 'unrecognized_keys' ? namesOf(issue.keys.map(String)) : [];
  const where = [prefix, ...namesOf(issue.path.map(String), 8), ...(keys.length > 0 ? [keys.join(',')] : [])].filter((p) => p !== undefined).join('.');
  const what =
    issue.code === 'unrecognized_keys' ? 'unknown field' : issue.input === undefined ? 'missing' : issue.code === 'invalid_type' ? 'wrong type' : 'invalid';
  return where === '' ? what : `${where}: ${what}`;
}

/** Field names as a reason shows them: a few, each short (they are the upstream's to choose). */
function namesOf(names: readonly string[], most = 3): string[] {
  const shown = names.slice(0, most).map((n) => (n.length > 32 ? `${n.slice(0, 31)}…` : n));
  return names.length > most ? [...shown, `+${names.length - most}`] : shown;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// ---- kiosk → upstream -------------------------------------------------------------------

export const TERMINAL_STATUSES = ['reloaded', 'done', 'ignored', 'failed', 'expired', 'withheld'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export type AckStatus = TerminalStatus | 'accepted';
export type WaitingFor = 'idle' | 'stagger' | 'privacy';

export interface AckFrame {
  type: 'kiosk.ack';
  id: string;
  kiosk: string;
  command: string;
  status: AckStatus;
  ms: number;
  reason?: string;
  waitingFor?: WaitingFor;
}

export interface HelloFrame {
  type: 'kiosk.hello';
  kiosk: string;
  groups: readonly string[];
  version: string;
}

export type DisplayState = 'on' | 'off-scheduled' | 'off-commanded';

export interface StatusFrame {
  type: 'kiosk.status';
  kiosk: string;
  version: string;
  uptimeSeconds: number;
  renderer: string;
  uplink: string;
  display: DisplayState;
  lastApiOkAt: string | null;
  [field: string]: unknown;
}

export interface ScreenshotFrame {
  type: 'kiosk.screenshot';
  id: string;
  kiosk: string;
  mime: 'image/jpeg';
  width: number;
  height: number;
  takenAt: string;
  data: string;
}

/** What the shell itself sends upstream. */
export type KioskToUpstream = HelloFrame | AckFrame | StatusFrame | ScreenshotFrame;

/**
 * A frame from the page, bound upstream: forwarded only when its type is in relay.allowUp
 * (never kiosk.* or local.*), re-serialised so that what the upstream parses is exactly what
 * was checked here (a duplicate "type" key cannot mean one thing here and another there).
 */
export type PageFrameVerdict =
  | { kind: 'local'; message: Record<string, unknown> }
  | { kind: 'forward'; text: string; type: string }
  | { kind: 'drop'; reason: 'not-json' | 'not-allowed' };

export function classifyPageFrame(text: string, allowUp: ReadonlySet<string>): PageFrameVerdict {
  const message = parseObject(text);
  if (message === undefined) return { kind: 'drop', reason: 'not-json' };
  const type = message.type;
  if (typeof type !== 'string') return { kind: 'drop', reason: 'not-allowed' };
  if (type.startsWith(LOCAL_PREFIX)) return { kind: 'local', message };
  // kiosk.* (hello, ack, status) are the shell's to send; the config cannot allow them,
  // and this check keeps it so even if a caller skipped validation.
  if (type.startsWith(KIOSK_PREFIX) || !allowUp.has(type)) return { kind: 'drop', reason: 'not-allowed' };
  return { kind: 'forward', text: JSON.stringify(message), type };
}
