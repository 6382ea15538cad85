// The content the kiosk shows, and the defensive parsing of what the API returned. The API
// is someone else's service: anything malformed is skipped item by item, strings are
// capped so one runaway field cannot wreck the layout, and nothing here is ever HTML.
// Each response is already in the visitor's language (the API falls back to English per
// field), so nothing here knows about languages.
import { type OpeningRule, parseOpeningHours } from './hours.ts';

/** A simple floor diagram: rectangles in the plan's own units, one or more of them the place itself. */
export interface FloorPlan {
  width: number;
  height: number;
  areas: { x: number; y: number; w: number; h: number; label: string; target: boolean }[];
  /** Where the kiosk stands, if it is on this floor. */
  here: { x: number; y: number } | null;
}

export interface KioskEvent {
  id: string;
  title: string;
  /** Epoch milliseconds. */
  startsAt: number;
  endsAt: number | null;
  location: string;
  description: string;
  floor: string;
  room: string;
  url: string | null;
  floorPlan: FloorPlan | null;
}

export interface Office {
  id: string;
  name: string;
  floor: string;
  room: string;
  /** As the site wrote it; `openingHours` when it could be read as data. */
  hours: string;
  openingHours: OpeningRule[] | null;
  phone: string;
  description: string;
  /** What a visitor can do there, shown ("Marriage licences"). */
  services: string[];
  /** More words a visitor may search for, not shown ("wedding", "get married"). */
  keywords: string[];
  url: string | null;
  /** The desk visitors are sent to when something is wrong. */
  informationDesk: boolean;
  floorPlan: FloorPlan | null;
}

export interface Content {
  events: KioskEvent[];
  offices: Office[];
}

const MAX_ITEMS = 500;
const MAX_LIST = 40;
const LIMITS = { title: 200, name: 200, short: 120, description: 5_000, term: 80, url: 500 } as const;

// Control characters other than tab/newline would render as boxes; explicit direction
// overrides would reorder the text around them. Right-to-left text itself is fine: each
// field is rendered in its own element with dir="auto".
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

/** A list of short strings, from a JSON list or a comma- or line-separated string; bad items dropped. */
function terms(value: unknown): string[] {
  const raw = typeof value === 'string' ? value.split(/[\n,;]/) : Array.isArray(value) ? value : [];
  const out: string[] = [];
  for (const item of raw) {
    const text = cleanText(item, LIMITS.term);
    if (text !== null && text !== '' && !out.includes(text)) out.push(text);
    if (out.length >= MAX_LIST) break;
  }
  return out;
}

/** Only web links leave the kiosk on a visitor's phone. */
function urlOf(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > LIMITS.url) return null;
  try {
    const url = new URL(value.trim());
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    if (url.username !== '' || url.password !== '') return null;
    return url.href;
  } catch {
    return null;
  }
}

function finite(value: unknown, min: number, max: number): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? value : null;
}

export function parseFloorPlan(value: unknown): FloorPlan | null {
  if (!isRecord(value)) return null;
  const width = finite(value.width, 1, 10_000);
  const height = finite(value.height, 1, 10_000);
  if (width === null || height === null || !Array.isArray(value.areas)) return null;
  const areas: FloorPlan['areas'] = [];
  for (const area of value.areas.slice(0, 80)) {
    if (!isRecord(area)) continue;
    const x = finite(area.x, 0, width);
    const y = finite(area.y, 0, height);
    const w = finite(area.w, 0, 10_000);
    const h = finite(area.h, 0, 10_000);
    if (x === null || y === null || w === null || h === null || w === 0 || h === 0) continue;
    areas.push({ x, y, w: Math.min(w, width - x), h: Math.min(h, height - y), label: cleanText(area.label, 40) ?? '', target: area.target === true });
  }
  if (areas.length === 0) return null;
  let here: FloorPlan['here'] = null;
  if (isRecord(value.here)) {
    const x = finite(value.here.x, 0, width);
    const y = finite(value.here.y, 0, height);
    if (x !== null && y !== null) here = { x, y };
  }
  return { width, height, areas, here };
}

function idOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.length > 0 && value.length <= 100) return value;
  return null;
}

/** ISO 8601 with a date part; `Date.parse` alone accepts too much ("1", "May"). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function timeOf(value: unknown): number | null {
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
  const floor = optional(item.floor, LIMITS.short) ?? '';
  const room = optional(item.room, LIMITS.short) ?? '';
  if (location === null || description === null) return null;
  return { id, title, startsAt, endsAt, location, description, floor, room, url: urlOf(item.url), floorPlan: parseFloorPlan(item.floor_plan) };
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
  return {
    id,
    name,
    floor,
    room,
    hours,
    openingHours: parseOpeningHours(item.opening_hours),
    phone,
    description,
    services: terms(item.services),
    keywords: terms(item.keywords),
    url: urlOf(item.url),
    informationDesk: item.information_desk === true,
    floorPlan: parseFloorPlan(item.floor_plan),
  };
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

