// Opening hours as data, so each language writes them its own way ("Mon–Fri 8:00 AM –
// 4:00 PM", "lun–vie 8:00 a.m. – 4:00 p.m.", "週一–週五 上午8:00至下午4:00"). The API
// sends them structured (`opening_hours`; the Django app reads them from the text its
// admins type); without that, the `hours` text is shown as it is ("By appointment").

export interface OpeningRule {
  /** 0 = Sunday … 6 = Saturday. */
  days: number[];
  /** Minutes after midnight. */
  opens: number;
  closes: number;
}

/** Structured hours from the API: [{ "days": [1,2,3,4,5], "opens": "08:00", "closes": "16:00" }]; null if unusable. */
const MAX_RULES = 14;
const TIME = /^(\d{1,2}):(\d{2})$/;

/** "08:30" → 510; "24:00" is the end of the day; null for anything else. */
function minutesOf(value: unknown): number | null {
  const match = typeof value === 'string' ? TIME.exec(value) : null;
  if (match === null) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return Number(match[2]) < 60 && minutes <= 24 * 60 ? minutes : null;
}

export function parseOpeningHours(value: unknown): OpeningRule[] | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_RULES) return null;
  const rules: OpeningRule[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) return null;
    const { days, opens, closes } = item as Record<string, unknown>;
    if (!Array.isArray(days) || days.length === 0) return null;
    const dayList = days.filter((day): day is number => Number.isInteger(day) && (day as number) >= 0 && (day as number) <= 6);
    if (dayList.length !== days.length) return null;
    const from = minutesOf(opens);
    const to = minutesOf(closes);
    if (from === null || to === null || to <= from) return null;
    rules.push({ days: [...new Set(dayList)], opens: from, closes: to });
  }
  return rules;
}
