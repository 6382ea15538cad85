// Opening hours as data, so each language writes them its own way ("Mon–Fri 8:00 AM –
// 4:00 PM", "lun–vie 8:00 a.m. – 4:00 p.m.", "週一至週五 上午8:00至下午4:00"). Content may
// send them structured (`opening_hours`), or as the text sites have always typed
// ("Mon–Fri 8:00–16:00, Sat 9:00–12:00"), which is read here when it follows that common
// pattern. Anything else ("By appointment") is shown as the text it is.

export interface OpeningRule {
  /** 0 = Sunday … 6 = Saturday. */
  days: number[];
  /** Minutes after midnight. */
  opens: number;
  closes: number;
}

const DAY_NAMES: Record<string, number> = {
  sun: 0, sunday: 0, mon: 1, monday: 1, tue: 2, tues: 2, tuesday: 2, wed: 3, wednesday: 3,
  thu: 4, thur: 4, thurs: 4, thursday: 4, fri: 5, friday: 5, sat: 6, saturday: 6,
};
const WEEK = [1, 2, 3, 4, 5, 6, 0];
const MAX_RULES = 14;

/** "8", "8:30", "16:00", "8am", "4:30 pm" → minutes after midnight, or null. */
function parseTime(text: string): number | null {
  const match = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/i.exec(text.trim());
  if (match === null) return null;
  let hours = Number(match[1]);
  const minutes = match[2] === undefined ? 0 : Number(match[2]);
  const period = match[3]?.toLowerCase().replace(/\./g, '');
  if (minutes > 59) return null;
  if (period !== undefined) {
    if (hours < 1 || hours > 12) return null;
    hours = (hours % 12) + (period === 'pm' ? 12 : 0);
  } else if (hours > 24 || (hours === 24 && minutes > 0)) return null;
  return hours * 60 + minutes;
}

function dayRange(from: number, to: number): number[] {
  const start = WEEK.indexOf(from);
  const end = WEEK.indexOf(to);
  if (end < start) return [];
  return WEEK.slice(start, end + 1);
}

/**
 * Reads "Mon–Fri 8:00–16:00", "Mon, Wed, Fri 8:30–12:30", "Tue and Thu 9:00–12:00",
 * "Mon–Fri 8:00–12:00, Thu also 14:00–18:00" and the like; null for anything else.
 */
export function parseHours(text: string): OpeningRule[] | null {
  if (text.length > 200) return null;
  const tokens = text
    .toLowerCase()
    .replace(/\s*[–—-]\s*/g, ' – ')
    .replace(/\b(and|also|&)\b|&/g, ' ')
    .split(/(,|;|\s+)/)
    .map((token) => token.trim())
    .filter((token) => token !== '' && token !== ',' && token !== ';');
  const rules: OpeningRule[] = [];
  let days: number[] = [];
  let daysUsed = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const day = DAY_NAMES[token.replace(/\.$/, '')];
    if (day !== undefined) {
      if (daysUsed) {
        days = [];
        daysUsed = false;
      }
      if (tokens[i + 1] === '–') {
        const to = DAY_NAMES[(tokens[i + 2] ?? '').replace(/\.$/, '')];
        if (to === undefined) return null;
        const range = dayRange(day, to);
        if (range.length === 0) return null;
        days.push(...range);
        i += 2;
      } else days.push(day);
      continue;
    }
    // A time range: "8:00 – 16:00", possibly with am/pm as separate tokens.
    let start = token;
    let j = i + 1;
    if (/^(am|pm|a\.m\.|p\.m\.)$/.test(tokens[j] ?? '')) start += tokens[j++] ?? '';
    if (tokens[j] !== '–') return null;
    let end = tokens[j + 1] ?? '';
    j += 2;
    if (/^(am|pm|a\.m\.|p\.m\.)$/.test(tokens[j] ?? '')) end += tokens[j++] ?? '';
    let opens = parseTime(start);
    const closes = parseTime(end);
    if (opens === null || closes === null || days.length === 0) return null;
    // "9–5pm": the period written once applies to both ends when that makes the range forward.
    if (/pm$/.test(end) && !/(am|pm)$/.test(start) && opens < 12 * 60 && opens + 12 * 60 < closes) opens += 12 * 60;
    if (closes <= opens) return null;
    rules.push({ days: [...new Set(days)], opens, closes });
    if (rules.length > MAX_RULES) return null;
    daysUsed = true;
    i = j - 1;
  }
  return rules.length > 0 ? rules : null;
}

/** Structured hours from the API: [{ "days": [1,2,3,4,5], "opens": "08:00", "closes": "16:00" }]; null if unusable. */
export function parseOpeningHours(value: unknown): OpeningRule[] | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_RULES) return null;
  const rules: OpeningRule[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) return null;
    const { days, opens, closes } = item as Record<string, unknown>;
    if (!Array.isArray(days) || days.length === 0) return null;
    const dayList = days.filter((day): day is number => Number.isInteger(day) && (day as number) >= 0 && (day as number) <= 6);
    if (dayList.length !== days.length) return null;
    const from = typeof opens === 'string' && /^\d{1,2}:\d{2}$/.test(opens) ? parseTime(opens) : null;
    const to = typeof closes === 'string' && /^\d{1,2}:\d{2}$/.test(closes) ? parseTime(closes) : null;
    if (from === null || to === null || to <= from) return null;
    rules.push({ days: [...new Set(dayList)], opens: from, closes: to });
  }
  return rules;
}
