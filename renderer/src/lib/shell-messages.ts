// What arrives over /ws, narrowed from untrusted JSON. local.* messages come from the
// shell itself (the relay drops any the upstream tries to forge; protocol/ reads them);
// everything else was forwarded from the upstream unchanged, and only two kinds of it
// mean anything here.
import { parseShellToPage, type ShellToPage, type UplinkState } from '../../../protocol/page.ts';

export type { UplinkState };
export type AnnouncementLevel = 'info' | 'urgent';

/** What the page acts on: the shell's own messages, and the two kinds of upstream ones it knows. */
export type ShellMessage = ShellToPage | { type: 'content.updated' } | { type: 'announcement'; text: string; level: AnnouncementLevel };

const MAX_ANNOUNCEMENT_CHARS = 280;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g;

/** Announcement text as plain, single-paragraph text of bounded length; null if empty. */
export function announcementText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  return text.length > MAX_ANNOUNCEMENT_CHARS ? `${text.slice(0, MAX_ANNOUNCEMENT_CHARS - 1).trimEnd()}…` : text;
}

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
    case 'announcement': {
      const text = announcementText(m.text);
      if (text === null) return null;
      return { type: 'announcement', text, level: m.level === 'urgent' ? 'urgent' : 'info' };
    }
    default:
      return null;
  }
}
