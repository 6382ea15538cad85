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

export function officesOnFloor(offices: readonly Office[], floor: string | null): Office[] {
  const list = floor === null ? [...offices] : offices.filter((office) => office.floor === floor);
  return list.sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

/** "Ground floor", "Floor 2", or the floor's own name ("Mezzanine"). */
export function floorLabel(floor: string): string {
  const f = floor.trim();
  if (GROUND.has(f.toLowerCase())) return 'Ground floor';
  if (/^\d+$/.test(f)) return `Floor ${f}`;
  return f;
}

/** "Room 168" for numbers, the name itself for places ("Rotunda"). */
export function roomLabel(room: string): string {
  const r = room.trim();
  if (r === '') return '';
  return /^\d/.test(r) ? `Room ${r}` : r;
}

/** "Floor 1 · Room 168" */
export function whereLabel(office: Pick<Office, 'floor' | 'room'>): string {
  return [office.floor === '' ? '' : floorLabel(office.floor), roomLabel(office.room)].filter((part) => part !== '').join(' · ');
}
