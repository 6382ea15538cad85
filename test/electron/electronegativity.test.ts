// @doyensec/electronegativity, the Electron security linter, over the shell's code and the
// page's HTML: no HIGH or MEDIUM finding may be left, unless the flagged code carries a
// comment "electronegativity-justified: CHECK_ID — why" within the few lines above it.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Finding {
  check: string;
  severity: string;
  file: string;
  line: number;
  sample: string;
}

function parseCsv(text: string): Finding[] {
  const rows = text.trim().split('\n').slice(1);
  return rows.map((row) => {
    const cells = [...row.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => (m[1] ?? '').replace(/^"|"$/g, '').replace(/""/g, '"'));
    const [check = '', severity = '', , file = '', location = '0:0', sample = ''] = cells;
    return { check, severity, file, line: Number(location.split(':')[0]), sample };
  });
}

function justified(finding: Finding): boolean {
  if (finding.file === 'N/A' || finding.line <= 0) return false;
  const lines = readFileSync(path.join(root, finding.file), 'utf8').split('\n');
  const above = lines.slice(Math.max(0, finding.line - 9), finding.line).join('\n');
  return new RegExp(`electronegativity-justified: ${finding.check}\\b`).test(above);
}

describe('electronegativity', () => {
  it('finds no HIGH or MEDIUM issue that is not fixed or justified', async () => {
    const scan = mkdtempSync(path.join(os.tmpdir(), 'kiosk-eneg-'));
    cpSync(path.join(root, 'electron'), path.join(scan, 'electron'), { recursive: true });
    cpSync(path.join(root, 'renderer', 'index.html'), path.join(scan, 'renderer', 'index.html'));
    cpSync(path.join(root, 'package.json'), path.join(scan, 'package.json'));
    const output = path.join(scan, 'report.csv');
    await promisify(execFile)(process.execPath, [path.join(root, 'test/electron/run-electronegativity.cjs'), scan, output], {
      cwd: root,
      timeout: 120_000,
    });
    const findings = parseCsv(readFileSync(output, 'utf8'));
    // The scan really ran: it always reports the Electron version it found.
    expect(findings.some((f) => f.check === 'ELECTRON_VERSION_JSON_CHECK')).toBe(true);
    const open = findings.filter((f) => (f.severity === 'HIGH' || f.severity === 'MEDIUM') && !justified(f));
    expect(open).toEqual([]);
  }, 150_000);
});
