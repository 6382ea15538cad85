// What arrives over /ws, narrowed from untrusted JSON. local.* messages come from the
// shell itself (the relay drops any the upstream tries to forge; protocol/ reads them);
// everything else was forwarded from the upstream unchanged, and only content.updated and
// the announcement frames (announcements.ts) mean anything here.
import { parseShellToPage, type ShellToPage, type UplinkState } from '../../../protocol/page.ts';
import { type AnnouncementMessage, parseAnnouncementMessage } from './announcements.ts';

export type { UplinkState };

/** What the page acts on: the shell's own messages, and the upstream ones it knows. */
export type ShellMessage = ShellToPage | { type: 'content.updated' } | AnnouncementMessage;

export function parseShellMessage(data: unknown): ShellMessage | null {
  const local = parseShellToPage(data);
  if (local !== null) return local;
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
    case 'content.updated':
      return { type: 'content.updated' };
    case 'announcement':
    case 'announcement.withdrawn':
      return parseAnnouncementMessage(m);
    default:
      return null;
  }
}
