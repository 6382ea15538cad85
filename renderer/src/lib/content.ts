// The content the kiosk shows, and the defensive parsing of what the API returned. The API
// is someone else's service: anything malformed is skipped item by item, strings are
// capped so one runaway field cannot wreck the layout, and nothing here is ever HTML.

export interface KioskEvent {
  id: string;
  title: string;
  /** Epoch milliseconds. */
  startsAt: number;
  endsAt: number | null;
  location: string;
  description: string;
}

export interface Office {
  id: string;
  name: string;
  floor: string;
  room: string;
  hours: string;
  phone: string;
  description: string;
}

export interface Content {
  events: KioskEvent[];
  offices: Office[];
}

const MAX_ITEMS = 500;
const LIMITS = { title: 200, name: 200, short: 120, description: 1_000 } as const;

// Control characters other than tab/newline would render as boxes or reorder text.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g;

function cleanText(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const text = value.replace(CONTROL, '').trim();
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** A required field: a non-empty string. */
function required(value: unknown, max: number): string | null {
  const text = cleanText(value, max);
  return text === null || text === '' ? null : text;
}

/** An optional field: a string, a number (floors and rooms often are), or nothing. */
function optional(value: unknown, max: number): string | null {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return cleanText(value, max);
}

function idOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.length > 0 && value.length <= 100) return value;
  return null;
}

/** ISO 8601 with a date part; `Date.parse` alone accepts too much ("1", "May"). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function timeOf(value: unknown): number | null {
  if (typeof value !== 'string' || !ISO_DATE.test(value.trim())) return null;
  const ms = Date.parse(value.trim());
  return Number.isFinite(ms) ? ms : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseEvent(item: unknown): KioskEvent | null {
  if (!isRecord(item)) return null;
  const id = idOf(item.id);
  const title = required(item.title, LIMITS.title);
  const startsAt = timeOf(item.starts_at);
  if (id === null || title === null || startsAt === null) return null;
  let endsAt: number | null = null;
  if (item.ends_at !== null && item.ends_at !== undefined) {
    endsAt = timeOf(item.ends_at);
    if (endsAt === null) return null;
    // An end before the start is a data-entry slip; show the start alone.
    if (endsAt <= startsAt) endsAt = null;
  }
  const location = optional(item.location, LIMITS.short);
  const description = optional(item.description, LIMITS.description);
  if (location === null || description === null) return null;
  return { id, title, startsAt, endsAt, location, description };
}

export function parseOffice(item: unknown): Office | null {
  if (!isRecord(item)) return null;
  const id = idOf(item.id);
  const name = required(item.name, LIMITS.name);
  if (id === null || name === null) return null;
  const floor = optional(item.floor, LIMITS.short);
  const room = optional(item.room, LIMITS.short);
  const hours = optional(item.hours, LIMITS.short);
  const phone = optional(item.phone, LIMITS.short);
  const description = optional(item.description, LIMITS.description);
  if (floor === null || room === null || hours === null || phone === null || description === null) return null;
  return { id, name, floor, room, hours, phone, description };
}

/** Parses a list, skipping malformed items and duplicate ids; `null` if it is not a list at all. */
export function parseList<T extends { id: string }>(body: unknown, parse: (item: unknown) => T | null): T[] | null {
  if (!Array.isArray(body)) return null;
  const seen = new Set<string>();
  const items: T[] = [];
  for (const raw of body) {
    if (items.length >= MAX_ITEMS) break;
    const item = parse(raw);
    if (item === null || seen.has(item.id)) continue;
    seen.add(item.id);
    items.push(item);
  }
  return items;
}
