// Rewrites the README's config table from the schema: npm run docs:config.
import { readFileSync, writeFileSync } from 'node:fs';
import { configReference } from '../core/config/reference.ts';

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';
const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start === -1 || end === -1) throw new Error('README.md lacks the config-table markers');
writeFileSync('README.md', `${readme.slice(0, start + START.length)}\n${configReference()}\n${readme.slice(end)}`);
