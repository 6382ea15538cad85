// The README is part of the product: its config table comes from the schema, and its two
// command lines are the ones CI runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference } from '../../core/config/reference.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('carries the config table generated from the schema (npm run docs:config)', () => {
    expect(readme).toContain(configReference());
  });

  it('shows the setup-and-test command that CI runs', () => {
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
    expect(readme).toContain('./scripts/setup.sh --test && ./scripts/npm test');
    expect(ci).toContain('scripts/setup.sh --test');
    expect(ci).toContain('scripts/npm test');
  });
});
