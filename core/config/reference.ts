// The README's config table, generated from the schema (npm run docs:config writes it;
// a test fails when the README and the schema disagree).
import { z } from 'zod';
import { configSchema } from './schema.ts';

interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
}

export function configReference(): string {
  const root = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const rows: string[] = ['| Key | Type | Default | What it does |', '| --- | --- | --- | --- |'];
  const walk = (schema: JsonSchema, prefix: string, required: boolean) => {
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      const keyPath = prefix ? `${prefix}.${key}` : key;
      const childRequired = required && (schema.required ?? []).includes(key);
      if (child.type === 'object' && child.properties) {
        if (child.description) rows.push(`| \`${keyPath}\` | object | ${childRequired ? 'required' : '—'} | ${child.description} |`);
        walk(child, keyPath, childRequired || child.description !== undefined);
        continue;
      }
      rows.push(`| \`${keyPath}\` | ${typeOf(child)} | ${defaultOf(child, childRequired)} | ${child.description ?? ''} |`);
    }
  };
  walk(root, '', true);
  return rows.join('\n');
}

function typeOf(schema: JsonSchema): string {
  const range =
    schema.minimum !== undefined && schema.maximum !== undefined ? ` ${schema.minimum}–${schema.maximum}` : '';
  if (schema.type === 'array') return `${schema.items?.type ?? 'any'}[]`;
  return `${schema.type ?? 'any'}${range}`;
}

function defaultOf(schema: JsonSchema, required: boolean): string {
  if (schema.default !== undefined) return `\`${JSON.stringify(schema.default)}\``;
  return required ? 'required' : '—';
}
