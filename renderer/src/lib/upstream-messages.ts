// What the upstream sends the page, narrowed from untrusted JSON (the SDK hands over every
// frame the relay forwarded; the shell's own local.* messages it keeps to itself). Only
// content.updated and the announcement frames (announcements.ts) mean anything here.
import { type AnnouncementMessage, parseAnnouncementMessage } from './announcements.ts';

export type UpstreamEvent = { type: 'content.updated' } | AnnouncementMessage;

export function parseUpstreamMessage(message: Record<string, unknown>): UpstreamEvent | null {
  switch (message.type) {
    case 'content.updated':
      return { type: 'content.updated' };
    case 'announcement':
    case 'announcement.withdrawn':
      return parseAnnouncementMessage(message);
    default:
      return null;
  }
}
