// What a measurement returns, and how it is printed: one figure per row, each next to the
// baseline measured side by side in the same run, the ratio, and the target.

export interface Target {
  /** e.g. "≥ 0.6× pipe", "< 400 ms". */
  text: string;
  met: boolean;
}

export interface Baseline {
  label: string;
  value: number;
  unit: string;
}

export interface Figure {
  id: string;
  label: string;
  value: number;
  unit: string;
  /** Extra context shown after the value, e.g. "4.1 MB/s". */
  extra?: string;
  /** The first baseline is the one the ratio is taken against. */
  baselines?: Baseline[];
  ratio?: number;
  target?: Target;
  /** What holds a missed target back (or a caveat on the figure). */
  note?: string;
}

export interface SuiteResult {
  name: string;
  title: string;
  seconds: number;
  figures: Figure[];
  /** Raw numbers behind the figures (samples, counters), kept in the JSON. */
  details: Record<string, unknown>;
  notes: string[];
  error?: string;
}

export interface BenchContext {
  quick: boolean;
  log(message: string): void;
}

export interface Suite {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<Omit<SuiteResult, 'name' | 'title' | 'seconds'>>;
}

export function format(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
  switch (unit) {
    case 'msg/s':
      return value >= 10_000 ? `${(value / 1000).toFixed(1)}k msg/s` : `${value.toFixed(0)} msg/s`;
    case 'ms':
      return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${digits(value)} ms`;
    case 's':
      return `${digits(value)} s`;
    case '%':
      return `${value.toFixed(1)} %`;
    case 'count':
      return value.toFixed(0);
    case 'x':
      return `${value.toFixed(2)}×`;
    default:
      return `${digits(value)} ${unit}`;
  }
}

export function ratioOf(value: number, baseline: number): number | undefined {
  return Number.isFinite(value) && Number.isFinite(baseline) && baseline !== 0 ? value / baseline : undefined;
}

const escapeCell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The Markdown table of every figure of every suite. */
export function markdownTable(suites: readonly SuiteResult[]): string {
  const rows = ['| Measurement | Result | Baseline (same run) | Ratio | Target | Met |', '| --- | --- | --- | --- | --- | --- |'];
  for (const suite of suites) {
    if (suite.error !== undefined) {
      rows.push(`| **${escapeCell(suite.title)}** | failed: ${escapeCell(suite.error.split('\n')[0] ?? '')} | | | | ✗ |`);
      continue;
    }
    for (const figure of suite.figures) {
      const result = format(figure.value, figure.unit) + (figure.extra ? ` (${figure.extra})` : '');
      const baseline = (figure.baselines ?? []).map((b) => `${b.label} ${format(b.value, b.unit)}`).join('; ');
      const ratio = figure.ratio === undefined ? '' : format(figure.ratio, 'x');
      const met = figure.target === undefined ? '' : figure.target.met ? 'met' : '**not met**';
      rows.push(`| ${escapeCell(figure.label)} | ${escapeCell(result)} | ${escapeCell(baseline)} | ${ratio} | ${escapeCell(figure.target?.text ?? '')} | ${met} |`);
    }
  }
  return rows.join('\n');
}

/** Notes on missed targets (and suite failures), one bullet each. */
export function missedNotes(suites: readonly SuiteResult[]): string[] {
  const notes: string[] = [];
  for (const suite of suites) {
    if (suite.error !== undefined) notes.push(`${suite.title}: the measurement failed: ${suite.error.split('\n')[0] ?? ''}`);
    for (const figure of suite.figures) {
      if (figure.target !== undefined && !figure.target.met) {
        notes.push(`${figure.label} (${format(figure.value, figure.unit)}, target ${figure.target.text}): ${figure.note ?? 'no analysis recorded'}`);
      }
    }
  }
  return notes;
}
