// Builds the effective configuration from its layers (defaults < file < environment <
// command line), validates it once against the schema and loads the tokens. Every
// problem is reported together, each by its key path; no secret is ever part of one.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { configSchema, tokenValue, type KioskConfig, type Upstreams } from './schema.ts';

export const DEMO_KIOSK_ID = 'demo-kiosk-1';
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_TOKEN_BYTES = 16 * 1024;

/** A loose, not yet validated layer of configuration. */
type Layer = Record<string, unknown>;

export interface ConfigSources {
  /** The lowest layer, under the file (the embedded demo's upstream goes here). */
  defaults?: Layer;
  /** `--config FILE`; wins over `KIOSK_CONFIG`. */
  configPath?: string | undefined;
  /** The machine-wide config file, used when neither of the above names one and it exists. */
  machineConfigPath?: string | undefined;
  /**
   * An installed (packaged) build: it needs a config file (no demo), and takes KIOSK_*
   * environment overrides only when the file allows them (policy.allowEnvironment).
   */
  packaged?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Settings given on the command line (the highest layer). */
  cli?: Layer;
}

/** A valid configuration whose upstream tokens, when upstreams are configured, are loaded. */
export type ResolvedConfig = Omit<KioskConfig, 'upstream'> & { upstream?: Upstreams };

export interface LoadedConfig {
  config: ResolvedConfig;
  /** The config file used, if any. */
  file?: string;
  /** No upstream anywhere and no file: the caller runs the embedded demo upstream. */
  demo: boolean;
  /** Things worth fixing that do not stop the kiosk (e.g. a token file others can read). */
  warnings: string[];
}

export function loadConfig(sources: ConfigSources = {}): LoadedConfig {
  const env = sources.env ?? process.env;
  const problems: string[] = [];
  const machineFile = sources.machineConfigPath !== undefined && existsSync(sources.machineConfigPath) ? sources.machineConfigPath : undefined;
  const file = sources.configPath ?? (nonEmpty(env.KIOSK_CONFIG) ? env.KIOSK_CONFIG : undefined) ?? machineFile;
  if (file === undefined && sources.packaged) {
    const where = sources.machineConfigPath ?? 'the machine-wide config file';
    throw new ConfigError([`config file: none found; create ${where} (see docs/deploy.md) or start with --config FILE`]);
  }

  const fileLayer = file === undefined ? {} : readConfigFile(file, problems);
  // Validating the rest of a file we could not read would only add noise.
  if (problems.length > 0) throw new ConfigError(problems);
  const policy = isPlainObject(fileLayer.policy) ? fileLayer.policy : {};
  const envLayer = !sources.packaged || policy.allowEnvironment === true ? environmentLayer(env) : {};
  const merged = [sources.defaults ?? {}, fileLayer, envLayer, sources.cli ?? {}].reduce<Layer>(mergeLayer, {});
  const demo = file === undefined && merged.upstream === undefined;
  if (demo) Object.assign(merged, { ...demoDefaults(), ...merged });
  if (file !== undefined && merged.upstream === undefined) {
    problems.push('upstream: required in a config file (only a kiosk started without any config runs the embedded demo)');
  }

  const parsed = configSchema.safeParse(merged, { reportInput: true });
  if (!parsed.success) problems.push(...describeIssues(parsed.error.issues));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);

  const warnings: string[] = [];
  if (parsed.data.upstream !== undefined) {
    warnings.push(...plaintextWarnings('upstream.ws.url', parsed.data.upstream.ws.url), ...plaintextWarnings('upstream.api.url', parsed.data.upstream.api.url));
  }
  const baseDir = file === undefined ? process.cwd() : path.dirname(path.resolve(file));
  const { upstream, ...rest } = parsed.data;
  const tokenContext = { baseDir, problems, warnings, allowReadable: rest.policy.allowReadableTokenFile };
  let resolvedUpstream: Upstreams | undefined;
  if (upstream !== undefined) {
    resolvedUpstream = {
      ws: { ...upstream.ws, token: loadToken('upstream.ws', upstream.ws, tokenContext) },
      api: { ...upstream.api, token: loadToken('upstream.api', upstream.api, tokenContext) },
    };
  }
  const ui = rest.ui.dir === undefined ? rest.ui : { dir: checkUiDir(path.resolve(baseDir, rest.ui.dir), problems) };
  if (problems.length > 0) throw new ConfigError(problems);

  const config: ResolvedConfig = resolvedUpstream === undefined ? { ...rest, ui } : { ...rest, ui, upstream: resolvedUpstream };
  return { config, ...(file === undefined ? {} : { file: path.resolve(file) }), demo, warnings };
}

/** A site's UI folder: it must be a folder with index.html at its root. Returns its absolute path. */
function checkUiDir(dir: string, problems: string[]): string {
  try {
    if (!statSync(dir).isDirectory()) {
      problems.push(`ui.dir: ${dir} is not a folder (it must hold the built app, index.html at its root)`);
      return dir;
    }
  } catch (error) {
    problems.push(`ui.dir: ${dir}: ${describeFsError(error)}`);
    return dir;
  }
  if (!existsSync(path.join(dir, 'index.html'))) problems.push(`ui.dir: ${dir} has no index.html at its root (point ui.dir at the build output, e.g. dist/)`);
  return dir;
}

/** The identity of a kiosk running on the embedded demo; `upstream` is the demo's. */
export function demoDefaults(upstream?: { wsUrl: string; apiUrl: string; token: string }): Layer {
  const layer: Layer = { kioskId: DEMO_KIOSK_ID, groups: ['lobby'] };
  if (upstream !== undefined) {
    layer.upstream = { ws: { url: upstream.wsUrl, token: upstream.token }, api: { url: upstream.apiUrl, token: upstream.token } };
  }
  return layer;
}

/** The effective configuration for display: every token replaced, token files named. */
export function redactConfig(config: ResolvedConfig): unknown {
  if (config.upstream === undefined) return config;
  const redact = <T extends { token: string }>(endpoint: T) => ({ ...endpoint, token: '[redacted]' });
  return { ...config, upstream: { ws: redact(config.upstream.ws), api: redact(config.upstream.api) } };
}

/** A token sent over ws: or http: to another machine crosses the network readable by anyone on the path. */
function plaintextWarnings(keyPath: string, url: string): string[] {
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'ws:' && protocol !== 'http:') return [];
  if (hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname)) return [];
  return [`${keyPath}: ${protocol.slice(0, -1)} sends the token unencrypted to ${hostname}; use ${protocol === 'ws:' ? 'wss' : 'https'}:`];
}

function readConfigFile(file: string, problems: string[]): Layer {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES) {
      problems.push(`config file ${file}: ${size} bytes is more than a config file can be (1 MiB)`);
      return {};
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`config file ${file}: ${describeFsError(error)}`);
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // The parser's own message may quote the file, token included; keep only the position.
    const where = /line \d+ column \d+/.exec(String(error))?.[0];
    problems.push(`config file ${file}: not valid JSON${where ? ` (${where})` : ''}`);
    return {};
  }
  if (!isPlainObject(value)) {
    problems.push(`config file ${file}: must hold a JSON object`);
    return {};
  }
  return value;
}

function environmentLayer(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {};
  const ws: Layer = {};
  const api: Layer = {};
  if (nonEmpty(env.KIOSK_ID)) layer.kioskId = env.KIOSK_ID;
  if (nonEmpty(env.KIOSK_WS_URL)) ws.url = env.KIOSK_WS_URL;
  if (nonEmpty(env.KIOSK_WS_TOKEN)) ws.token = env.KIOSK_WS_TOKEN;
  if (nonEmpty(env.KIOSK_API_URL)) api.url = env.KIOSK_API_URL;
  if (nonEmpty(env.KIOSK_API_TOKEN)) api.token = env.KIOSK_API_TOKEN;
  const upstream: Layer = {};
  if (Object.keys(ws).length > 0) upstream.ws = ws;
  if (Object.keys(api).length > 0) upstream.api = api;
  if (Object.keys(upstream).length > 0) layer.upstream = upstream;
  return layer;
}

/**
 * Deep-merges `higher` over `lower`; arrays and scalars are replaced. A layer that sets
 * `token` replaces a lower `tokenFile` and the other way round, so the environment can
 * override a file's token source without a "both set" error.
 */
function mergeLayer(lower: Layer, higher: Layer): Layer {
  const result: Layer = { ...lower };
  for (const [key, value] of Object.entries(higher)) {
    const below = result[key];
    result[key] = isPlainObject(value) && isPlainObject(below) ? mergeLayer(below, value) : value;
  }
  if ('token' in higher && !('tokenFile' in higher)) delete result.tokenFile;
  if ('tokenFile' in higher && !('token' in higher)) delete result.token;
  return result;
}

interface TokenContext {
  baseDir: string;
  problems: string[];
  warnings: string[];
  allowReadable: boolean;
}

/**
 * The token from `token` or `tokenFile`. A token file other users can read or write is
 * refused (unless policy.allowReadableTokenFile); one its group can read is warned about.
 */
function loadToken(
  keyPath: string,
  endpoint: { token?: string | undefined; tokenFile?: string | undefined },
  { baseDir, problems, warnings, allowReadable }: TokenContext,
): string {
  if (endpoint.token !== undefined) return endpoint.token;
  const file = path.resolve(baseDir, endpoint.tokenFile ?? '');
  try {
    const stats = statSync(file);
    if (!stats.isFile() || stats.size > MAX_TOKEN_BYTES) {
      problems.push(`${keyPath}.tokenFile: ${file} is not a token file (a regular file of at most 16 KiB)`);
      return '';
    }
    const fix = `run: chmod 600 '${file}'`;
    if (process.platform !== 'win32' && (stats.mode & 0o006) !== 0) {
      const message = `${keyPath}.tokenFile: ${file} can be read or written by other users; ${fix}`;
      if (allowReadable) warnings.push(`${message} (accepted: policy.allowReadableTokenFile)`);
      else {
        problems.push(`${message} (or set policy.allowReadableTokenFile)`);
        return '';
      }
    } else if (process.platform !== 'win32' && (stats.mode & 0o060) !== 0) {
      warnings.push(`${keyPath}.tokenFile: ${file} can be read by its group; ${fix}`);
    }
    const token = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    const check = tokenValue.safeParse(token);
    if (!check.success) {
      problems.push(`${keyPath}.tokenFile: the token in ${file} ${check.error.issues[0]?.message ?? 'is not valid'}`);
    }
    return token;
  } catch (error) {
    problems.push(`${keyPath}.tokenFile: cannot read ${file}: ${describeFsError(error)}`);
    return '';
  }
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const known = knownKeysAt(issue.path);
        const hint = closest(key, known);
        lines.push(`${joinPath([...issue.path, key])}: unknown key${hint ? `; did you mean "${hint}"?` : ''}`);
      }
      continue;
    }
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.message;
    lines.push(`${joinPath(issue.path)}: ${message}`);
  }
  return lines;
}

function joinPath(keyPath: readonly PropertyKey[]): string {
  if (keyPath.length === 0) return '(top level)';
  return keyPath.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`)).join('');
}

/** The keys the schema allows in the object at `keyPath`, for "did you mean" hints. */
function knownKeysAt(keyPath: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType | undefined = configSchema;
  for (const part of keyPath) {
    const shape = objectShape(schema);
    schema = shape?.[String(part)];
  }
  return Object.keys(objectShape(schema) ?? {});
}

function objectShape(schema: z.core.$ZodType | undefined): Record<string, z.core.$ZodType> | undefined {
  let current = schema;
  // Optional, default and prefault wrappers hold the object in `innerType`.
  while (current !== undefined && 'innerType' in current._zod.def) {
    current = current._zod.def.innerType as z.core.$ZodType;
  }
  if (current !== undefined && current._zod.def.type === 'object') {
    return (current._zod.def as z.core.$ZodObjectDef).shape;
  }
  return undefined;
}

function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (the kiosk user must be able to read it)';
    case 'EISDIR':
      return 'is a directory, not a file';
    default:
      return code ?? 'unreadable';
  }
}

function isPlainObject(value: unknown): value is Layer {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}
