// The office directory: floors in building order (basements, ground, then upwards) and
// the words a visitor reads on a card.
import type { Office } from './content.ts';

const GROUND = new Set(['g', 'gf', 'ground', 'ground floor', '0']);
const BELOW = /^(b|lb|ll|basement|lower level|lower)\s*-?\s*(\d*)$/;

/** Sorts floors: below ground (deepest first), ground, numbered floors, then anything else. */
function floorRank(floor: string): [number, number, string] {
  const f = floor.trim().toLowerCase();
  if (GROUND.has(f)) return [1, 0, f];
  const below = BELOW.exec(f);
  if (below !== null) return [0, -Number(below[2] || 1), f];
  const numbered = /^-?\d+$/.test(f) ? Number(f) : NaN;
  if (Number.isFinite(numbered)) return numbered < 0 ? [0, numbered, f] : [2, numbered, f];
  return [3, 0, f];
}

export function compareFloors(a: string, b: string): number {
  const [ga, na, sa] = floorRank(a);
  const [gb, nb, sb] = floorRank(b);
  return ga - gb || na - nb || sa.localeCompare(sb, 'en');
}

/** The distinct floors that have offices, in building order. */
export function floorsOf(offices: readonly Office[]): string[] {
  const floors = new Set(offices.map((office) => office.floor).filter((floor) => floor !== ''));
  return [...floors].sort(compareFloors);
}

/** The offices on `floor` (all for null), by name in the language's alphabetical order. */
export function officesOnFloor(offices: readonly Office[], floor: string | null, locale = 'en'): Office[] {
  const collator = new Intl.Collator(locale);
  const list = floor === null ? [...offices] : offices.filter((office) => office.floor === floor);
  return list.sort((a, b) => collator.compare(a.name, b.name));
}

/** The words for floors and rooms, in the visitor's language. */
export interface PlaceWords {
  groundFloor: string;
  floorNumber: (values: { floor: string }) => string;
  roomNumber: (values: { room: string }) => string;
}

export const ENGLISH_PLACES: PlaceWords = {
  groundFloor: 'Ground floor',
  floorNumber: ({ floor }) => `Floor ${floor}`,
  roomNumber: ({ room }) => `Room ${room}`,
};

/** "Ground floor", "Floor 2", or the floor's own name ("Mezzanine"). */
export function floorLabel(floor: string, words: PlaceWords = ENGLISH_PLACES): string {
  const f = floor.trim();
  if (GROUND.has(f.toLowerCase())) return words.groundFloor;
  if (/^\d+$/.test(f)) return words.floorNumber({ floor: f });
  return f;
}

/** "Room 168" for numbers, the name itself for places ("Rotunda"). */
export function roomLabel(room: string, words: PlaceWords = ENGLISH_PLACES): string {
  const r = room.trim();
  if (r === '') return '';
  return /^\d/.test(r) ? words.roomNumber({ room: r }) : r;
}

/** "Floor 1 · Room 168" */
export function whereLabel(place: { floor: string; room: string }, words: PlaceWords = ENGLISH_PLACES): string {
  return [place.floor === '' ? '' : floorLabel(place.floor, words), roomLabel(place.room, words)].filter((part) => part !== '').join(' · ');
}

/** The office visitors are sent to when something is wrong: marked so by the content, else one named so. */
export function informationDesk(offices: readonly Office[]): Office | null {
  return offices.find((office) => office.informationDesk) ?? offices.find((office) => /information desk|info desk/i.test(office.name)) ?? null;
}
