// What arrives over /ws, narrowed from untrusted JSON. local.* messages come from the
// shell itself (the relay drops any the upstream tries to forge); everything else was
// forwarded from the upstream unchanged, and only content.updated and the announcement
// frames (announcements.ts) mean anything here.
import { type AnnouncementMessage, parseAnnouncementMessage } from './announcements.ts';

export type UplinkState = 'connecting' | 'open' | 'waiting' | 'stopped';

export type ShellMessage =
  | { type: 'local.hello'; kioskId: string; version: string; uplink: UplinkState; idleReturnHomeSeconds: number | null; hideCursor: boolean }
  | { type: 'local.uplink'; state: UplinkState }
  | { type: 'local.reload'; resetId: string | null }
  | { type: 'content.updated' }
  | AnnouncementMessage;

/** What the page sends; nothing else is ever sent. */
export type PageMessage = { type: 'local.shown'; home: boolean } | { type: 'local.heartbeat'; shown: boolean } | { type: 'local.in-use'; inUse: boolean };

const UPLINK_STATES: ReadonlySet<string> = new Set(['connecting', 'open', 'waiting', 'stopped']);
const MAX_IDLE_SECONDS = 24 * 60 * 60;

function isUplinkState(value: unknown): value is UplinkState {
  return typeof value === 'string' && UPLINK_STATES.has(value);
}

function shortString(value: unknown, max = 100): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

function idleSecondsOf(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
  return Math.min(Math.floor(value), MAX_IDLE_SECONDS);
}

export function parseShellMessage(data: unknown): ShellMessage | null {
  if (typeof data !== 'string' || data.length > 65_536) return null;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
  const m = message as Record<string, unknown>;
  switch (m.type) {
    case 'local.hello':
      return {
        type: 'local.hello',
        kioskId: shortString(m.kioskId),
        version: shortString(m.version),
        uplink: isUplinkState(m.uplink) ? m.uplink : 'connecting',
        idleReturnHomeSeconds: idleSecondsOf(m.idleReturnHomeSeconds),
        hideCursor: m.hideCursor === true,
      };
    case 'local.uplink':
      return isUplinkState(m.state) ? { type: 'local.uplink', state: m.state } : null;
    case 'local.reload':
      return { type: 'local.reload', resetId: typeof m.resetId === 'string' ? m.resetId.slice(0, 128) : null };
    case 'content.updated':
      return { type: 'content.updated' };
    case 'announcement':
    case 'announcement.withdrawn':
      return parseAnnouncementMessage(m);
    default:
      return null;
  }
}
