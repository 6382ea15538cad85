// Announcements for the public: a closed entrance, a fire drill. They arrive two ways and
// are one set on screen:
//   - over /ws, forwarded from the upstream unchanged:
//       {"type":"announcement","id":"a-7","level":"info"|"urgent",
//        "text":{"en":"…","es":"…","zh-Hant":"…","fil":"…"} (or one string),
//        "startsAt":ISO|null,"endsAt":ISO|null}
//     and withdrawn with {"type":"announcement.withdrawn","id":"a-7"};
//   - in the content API's events answer, {"events":[…],"announcements":[…]} (the same
//     objects, `type` optional), so they show on load and after a reload. That list is
//     the API's whole current set.
// Nothing ends on a timer of its own: an announcement ends when the upstream withdraws it
// or drops it from its list, or at the `endsAt` it carries. Urgent ones cannot be
// dismissed by visitors; info ones can, for the visitor's session only.
import { DEFAULT_LANGUAGE, type Language, LANGUAGES } from '../i18n/languages.ts';
import { timeOf } from './content.ts';

export type AnnouncementLevel = 'info' | 'urgent';

export interface AnnouncementItem {
  id: string;
  level: AnnouncementLevel;
  /** By language code; at least one entry. */
  text: Partial<Record<string, string>>;
  startsAt: number | null;
  endsAt: number | null;
}

export type AnnouncementMessage = { type: 'announcement'; announcement: AnnouncementItem } | { type: 'announcement.withdrawn'; id: string };

const MAX_TEXT_CHARS = 400;
const MAX_ACTIVE = { urgent: 3, info: 2 } as const;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g;

/** Announcement text as plain, single-paragraph text of bounded length; null if empty. */
export function announcementText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  return text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS - 1).trimEnd()}…` : text;
}

const LANGUAGE_TAG = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;

/** "es-US" → "es", "zh-hant"/"zh-TW"/"zh" → "zh-Hant", "tl" → "fil"; other tags kept as they are; null if not a tag. */
function languageKey(tag: string): string | null {
  if (!LANGUAGE_TAG.test(tag)) return null;
  const lower = tag.toLowerCase();
  if (lower.startsWith('zh')) return 'zh-Hant';
  if (lower === 'tl' || lower.startsWith('fil')) return 'fil';
  for (const { code } of LANGUAGES) if (lower === code.toLowerCase() || lower.startsWith(`${code.toLowerCase()}-`)) return code;
  return tag;
}

function textsOf(value: unknown): Partial<Record<string, string>> | null {
  if (typeof value === 'string') {
    const text = announcementText(value);
    return text === null ? null : { [DEFAULT_LANGUAGE]: text };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const texts: Partial<Record<string, string>> = {};
  let any = false;
  for (const [tag, raw] of Object.entries(value as Record<string, unknown>).slice(0, 20)) {
    const text = announcementText(raw);
    const key = languageKey(tag);
    if (text === null || key === null) continue;
    texts[key] = text;
    any = true;
  }
  return any ? texts : null;
}

function optionalTime(value: unknown): number | null | undefined {
  if (value === undefined || value === null) return null;
  return timeOf(value) ?? undefined;
}

/** One announcement object (from a frame or the API's list); null if unusable. */
export function parseAnnouncement(value: unknown): AnnouncementItem | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const m = value as Record<string, unknown>;
  const text = textsOf(m.text);
  if (text === null) return null;
  const level: AnnouncementLevel = m.level === 'urgent' ? 'urgent' : 'info';
  const startsAt = optionalTime(m.startsAt ?? m.starts_at);
  const endsAt = optionalTime(m.endsAt ?? m.ends_at);
  // A time that is there but unreadable is not taken as "always".
  if (startsAt === undefined || endsAt === undefined) return null;
  let id: string;
  if (typeof m.id === 'string' && m.id !== '' && m.id.length <= 128) id = m.id;
  else if (typeof m.id === 'number' && Number.isFinite(m.id)) id = String(m.id);
  // An older upstream sends no id: each such frame replaces the previous one of its level.
  else id = `unnamed:${level}`;
  return { id, level, text, startsAt, endsAt };
}

/** The /ws frames of this module, from an already-parsed JSON object. */
export function parseAnnouncementMessage(m: Record<string, unknown>): AnnouncementMessage | null {
  if (m.type === 'announcement') {
    const announcement = parseAnnouncement(m);
    return announcement === null ? null : { type: 'announcement', announcement };
  }
  if (m.type === 'announcement.withdrawn') {
    const id = typeof m.id === 'number' ? String(m.id) : m.id;
    return typeof id === 'string' && id !== '' && id.length <= 128 ? { type: 'announcement.withdrawn', id } : null;
  }
  return null;
}

/** The list from GET /api/announcements/ (bad items skipped); null if it is not a list. */
export function parseAnnouncementList(body: unknown): AnnouncementItem[] | null {
  if (!Array.isArray(body)) return null;
  const items: AnnouncementItem[] = [];
  for (const raw of body.slice(0, 50)) {
    const item = parseAnnouncement(raw);
    if (item !== null && !items.some((other) => other.id === item.id)) items.push(item);
  }
  return items;
}

/** The text in the visitor's language, else English, else whichever there is. */
export function announcementTextFor(item: AnnouncementItem, language: Language): string {
  return item.text[language] ?? item.text[DEFAULT_LANGUAGE] ?? Object.values(item.text).find((text) => text !== undefined) ?? '';
}

/** Every announcement the kiosk knows of, from both sources; what is on screen is `active(now)`. */
export class AnnouncementBoard {
  readonly #listeners = new Set<() => void>();
  #fromSocket = new Map<string, AnnouncementItem & { serial: number }>();
  #fromApi = new Map<string, AnnouncementItem & { serial: number }>();
  /** Withdrawn over /ws; an API answer (perhaps a stale copy) does not bring them back. */
  #withdrawn = new Set<string>();
  #serial = 0;
  #version = 0;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Changes whenever the set does (for useSyncExternalStore). */
  getVersion = (): number => this.#version;

  receive(item: AnnouncementItem): void {
    this.#withdrawn.delete(item.id);
    this.#fromSocket.set(item.id, { ...item, serial: ++this.#serial });
    this.#changed();
  }

  withdraw(id: string): void {
    this.#fromSocket.delete(id);
    this.#fromApi.delete(id);
    this.#withdrawn.add(id);
    this.#changed();
  }

  /** The API's current list replaces what the API said before. */
  setFromApi(items: readonly AnnouncementItem[]): void {
    const next = new Map<string, AnnouncementItem & { serial: number }>();
    for (const item of items) {
      const previous = this.#fromApi.get(item.id);
      next.set(item.id, { ...item, serial: previous?.serial ?? ++this.#serial });
      // Listed by the API again: the API now speaks for it.
      this.#fromSocket.delete(item.id);
    }
    for (const id of this.#withdrawn) if (!next.has(id)) this.#withdrawn.delete(id);
    for (const id of this.#withdrawn) next.delete(id);
    this.#fromApi = next;
    this.#changed();
  }

  /** What shows at `now`: urgent ones first, then the newest first; a few of each. */
  active(now: number): AnnouncementItem[] {
    const all = new Map([...this.#fromApi, ...this.#fromSocket]);
    const live = [...all.values()].filter((item) => (item.startsAt === null || item.startsAt <= now) && (item.endsAt === null || now < item.endsAt));
    live.sort((a, b) => (a.level === b.level ? b.serial - a.serial : a.level === 'urgent' ? -1 : 1));
    const urgent = live.filter((item) => item.level === 'urgent').slice(0, MAX_ACTIVE.urgent);
    const info = live.filter((item) => item.level === 'info').slice(0, MAX_ACTIVE.info);
    return [...urgent, ...info].map(({ serial: _serial, ...item }) => item);
  }

  /** The next instant after `now` when the active set changes by itself (a start or an end), if any. */
  nextChange(now: number): number | null {
    let next: number | null = null;
    for (const item of [...this.#fromApi.values(), ...this.#fromSocket.values()]) {
      for (const at of [item.startsAt, item.endsAt]) if (at !== null && at > now && (next === null || at < next)) next = at;
    }
    return next;
  }

  #changed(): void {
    this.#version++;
    for (const listener of this.#listeners) listener();
  }
}
