// The one source of truth for the kiosk's configuration: the TypeScript types, the
// defaults, the validation messages and the README's config table all come from here.
import { z } from 'zod';
import { OFFLINE_CACHE_MAX_ENTRIES } from './limits.ts';
import { coveredMinutes, isKnownTimeZone, MINUTES_PER_DAY, MINUTES_PER_WEEK, parseDays, parseTime, windowIntervals, type Interval } from '../schedule.ts';

const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
// RFC 9110 "token": what an HTTP field name may contain.
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// A header value may not carry CR, LF or other control characters (header injection).
// eslint-disable-next-line no-control-regex -- the point is to name control characters
const HEADER_VALUE_PATTERN = /^[^\x00-\x08\x0a-\x1f\x7f]*$/;
// Nor a character beyond ASCII. Beyond Latin-1, Node refuses to send the header, so the
// token would fail only at the first request; a Latin-1 character goes out as one byte that
// servers decode differently (Latin-1, or UTF-8 and a replacement character), so no form of
// it could be relied on to keep it out of what the upstream hands back to the page.
const HEADER_CHARSET_PATTERN = /^[\p{ASCII}]*$/u;

// Headers the relay owns: letting the config set the token into one of them would break
// framing, the upgrade, or the relay's own guards.
const RESERVED_HEADERS = new Set([
  'host',
  'connection',
  'upgrade',
  'content-length',
  'transfer-encoding',
  'te',
  'trailer',
  'keep-alive',
  'proxy-connection',
  'cookie',
  'origin',
  'x-kiosk-key',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'sec-websocket-accept',
  // Set by the API proxy after the token; the token would be overwritten.
  'user-agent',
  'x-kiosk-id',
]);

const timeOfDay = z.string().superRefine((text, ctx) => {
  const parsed = parseTime(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const identifier = (what: string) =>
  z.string().regex(ID_PATTERN, `${what} must be 1 to 64 characters from A-Z a-z 0-9 . _ -`);

const headerName = z
  .string()
  .regex(HEADER_NAME_PATTERN, 'must be an HTTP header name (letters, digits and !#$%&\'*+.^_`|~-)')
  .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), {
    message: 'is a header the relay owns; choose another (usually Authorization)',
  });

/** A header value: what a token may be. */
export const tokenValue = z
  .string()
  // Each check stops the rest: one problem per token is the clearest report.
  .min(1, { message: 'must not be empty', abort: true })
  .regex(HEADER_VALUE_PATTERN, { message: 'must not contain line breaks or control characters', abort: true })
  .regex(HEADER_CHARSET_PATTERN, { message: 'must hold only ASCII characters (others travel as bytes each server reads its own way)', abort: true })
  // Too short to be a secret, and too short to keep out of responses and logs without
  // also hiding ordinary text that happens to contain it.
  .refine((value) => (value.trim().split(/\s+/).at(-1) ?? '').length >= 12, {
    message: 'is too short to be a secret: the credential (after the scheme, e.g. "Token ") needs at least 12 characters',
  });

const urlWithScheme = (schemes: readonly string[], example: string) =>
  z.string().refine(
    (value) => {
      if (!URL.canParse(value)) return false;
      const url = new URL(value);
      return schemes.includes(url.protocol) && url.username === '' && url.password === '';
    },
    { message: `must be a ${schemes.join(' or ')} URL without credentials, e.g. ${example}` },
  );

function exactlyOneTokenSource(endpoint: { token?: string | undefined; tokenFile?: string | undefined }, ctx: z.RefinementCtx) {
  if (endpoint.token === undefined && endpoint.tokenFile === undefined) {
    ctx.addIssue({ code: 'custom', path: ['token'], message: 'set token or tokenFile' });
  }
  if (endpoint.token !== undefined && endpoint.tokenFile !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['tokenFile'], message: 'set token or tokenFile, not both' });
  }
}

const tokenFields = {
  tokenHeader: headerName
    .default('Authorization')
    .describe('Request header that carries the token upstream; it overrides any client-sent header of that name.'),
  token: tokenValue.optional().describe('The header value, e.g. "Token abc". Never logged or shown; prefer tokenFile.'),
  tokenFile: z
    .string()
    .min(1)
    .optional()
    .describe('Path of a file holding the token (relative to the config file); warned about when group or others can read it.'),
};

const wsUpstream = z
  .strictObject({
    url: urlWithScheme(['ws:', 'wss:'], 'wss://pubsub.example.org/ws/kiosk/').describe('Upstream pub/sub WebSocket URL.'),
    ...tokenFields,
    heartbeatSeconds: z
      .number()
      .min(1)
      .max(300)
      .default(30)
      .describe('Ping interval on the uplink; a silent upstream is dropped within twice this.'),
    reconnectBaseMs: z
      .int()
      .min(50)
      .max(60_000)
      .default(4000)
      .describe('First reconnect delay ceiling; each failure doubles it (full jitter). Wide enough that a fleet dropped at once spreads its first retries over seconds.'),
    reconnectCapMs: z
      .int()
      .min(100)
      .max(300_000)
      .default(8000)
      .describe('Largest reconnect delay ceiling; keeps a whole fleet back within seconds of the upstream.'),
  })
  .superRefine(exactlyOneTokenSource)
  .refine((ws) => ws.reconnectCapMs >= ws.reconnectBaseMs, {
    path: ['reconnectCapMs'],
    message: 'must be at least reconnectBaseMs',
  });

const apiUpstream = z
  .strictObject({
    url: urlWithScheme(['http:', 'https:'], 'https://cms.example.org/api/').describe(
      'Upstream REST API base URL; /api/x on the kiosk goes to this URL + x.',
    ),
    ...tokenFields,
    timeoutSeconds: z
      .number()
      .min(1)
      .max(300)
      .default(15)
      .describe('An API call with no response within this is answered 504.'),
    offlineCacheMB: z
      .number()
      .min(0)
      .max(1024)
      .default(16)
      .describe(
        `Disk space (under stateDir) for the last good answer of each content GET (per path and query, so per language; at most ${OFFLINE_CACHE_MAX_ENTRIES} answers, oldest dropped first), served marked stale while the API fails; 0 keeps none. Answers marked no-store, no-cache or must-revalidate are not kept.`,
      ),
  })
  .superRefine(exactlyOneTokenSource);

export const configSchema = z.strictObject({
  kioskId: identifier('the kiosk id').describe('This kiosk\'s id, as enrolled upstream.'),
  groups: z.array(identifier('a group name')).max(32).default([]).describe('Groups this kiosk belongs to (reset targets).'),
  upstream: z
    .strictObject({ ws: wsUpstream, api: apiUpstream })
    .optional()
    .describe('The site\'s upstreams. Leave out (with no config file) to run the embedded demo.'),
  stateDir: z
    .string()
    .min(1)
    .optional()
    .describe('Where reset ids, recovery counters and the offline content cache persist; default: the OS\'s per-user state folder.'),
  server: z
    .strictObject({
      port: z.int().min(0).max(65535).default(0).describe('Loopback port of the local server; 0 picks a free one.'),
    })
    .prefault({}),
  relay: z
    .strictObject({
      allowUp: z
        .array(
          z
            .string()
            .min(1)
            .max(128)
            .refine((type) => !type.startsWith('kiosk.') && !type.startsWith('local.'), {
              message: 'kiosk.* and local.* messages are the shell\'s own and cannot be allowed up',
            }),
        )
        .max(64)
        .default([])
        .describe('Message types the UI may send upstream; every other UI frame is dropped and counted.'),
      maxPayloadBytes: z
        .int()
        .min(1024)
        .max(16 * 1024 * 1024)
        .default(65536)
        .describe('Largest WebSocket frame accepted on either leg; larger ones close that connection with 1009.'),
      maxBufferedBytes: z
        .int()
        .min(16 * 1024)
        .max(64 * 1024 * 1024)
        .default(1024 * 1024)
        .describe('A UI connection that falls this far behind is closed (it reconnects) rather than buffered without bound.'),
      heartbeatSeconds: z
        .number()
        .min(1)
        .max(300)
        .default(15)
        .describe('Ping interval toward the UI; a silent UI connection is dropped within twice this.'),
    })
    .prefault({}),
  reset: z
    .strictObject({
      minIntervalSeconds: z.number().min(0).max(86_400).default(10).describe('At most one reload per this many seconds.'),
      staggerSeconds: z.number().min(0).max(3600).default(0).describe('Random delay 0..this before a reset reloads, to spread a fleet.'),
    })
    .prefault({}),
  policy: z
    .strictObject({
      allowEnvironment: z
        .boolean()
        .default(false)
        .describe('Packaged builds only: let KIOSK_* environment variables override this file (development builds always do).'),
      allowReadableTokenFile: z
        .boolean()
        .default(false)
        .describe('Accept a token file other users can read or write (not recommended).'),
    })
    .prefault({}),
  log: z
    .strictObject({
      dir: z.string().min(1).optional().describe('Folder for the rotated JSON log files; default: the OS\'s per-user log folder ($KIOSK_LOG_DIR).'),
      maxFileMB: z.number().min(1).max(1024).default(10).describe('A log file is rotated when it reaches this size.'),
      keepFiles: z.int().min(1).max(100).default(5).describe('How many rotated log files are kept.'),
    })
    .prefault({}),
  display: z
    .strictObject({
      hideCursor: z.boolean().default(false).describe('Hide the mouse pointer over the kiosk page (touch screens).'),
    })
    .prefault({}),
  idle: z
    .strictObject({
      returnHomeSeconds: z.number().min(0).max(86_400).default(120).describe('Return to the home screen after this long untouched; 0 turns it off.'),
    })
    .prefault({}),
  status: z
    .strictObject({
      intervalSeconds: z.number().min(1).max(86_400).default(30).describe('How often kiosk.status goes upstream.'),
    })
    .prefault({}),
  ui: z
    .strictObject({
      dir: z
        .string()
        .min(1)
        .optional()
        .describe('A folder with a built web app (index.html at its root) served at / instead of the bundled City Hall UI; relative to the config file. It gets /api, /ws and the page SDK at /kiosk-shell/sdk.js.'),
    })
    .prefault({}),
  screenshot: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Answer screenshot commands; false answers them "withheld" / "disabled".'),
      privacySeconds: z
        .number()
        .min(0)
        .max(3600)
        .default(60)
        .describe('A screenshot waits until nobody has touched or typed for this long (or is withheld when it expires first).'),
      maxBytes: z
        .int()
        .min(16_384)
        .max(8 * 1024 * 1024)
        .default(262_144)
        .describe('Largest screenshot sent upstream (base64 length); it is scaled down and re-encoded until it fits.'),
    })
    .prefault({}),
  schedule: z
    .strictObject({
      timezone: z
        .string()
        .refine(isKnownTimeZone, { message: 'is not a timezone this machine knows (an IANA name, e.g. "America/Los_Angeles")' })
        .optional()
        .describe('IANA timezone the schedule is written in; default: the machine\'s.'),
      displayOff: z
        .array(
          z.strictObject({
            days: z.string().superRefine((days, ctx) => {
              const parsed = parseDays(days);
              if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
            }),
            from: timeOfDay,
            to: timeOfDay,
          }),
        )
        .max(32)
        .default([])
        .describe('Windows when the display is off, e.g. {"days": "mon-fri", "from": "19:00", "to": "07:00"} (a window may cross midnight).'),
      allowAlwaysOff: z
        .boolean()
        .default(false)
        .describe('Accept displayOff windows that keep the display off all week (refused otherwise, as a likely mistake).'),
      restart: z
        .strictObject({
          at: timeOfDay.describe('Local time the restart window opens, HH:MM.'),
          jitterMinutes: z.number().min(0).max(720).default(0).describe('The restart happens at a random point this long after `at`, to spread a fleet.'),
        })
        .optional()
        .describe('A daily restart of the shell inside [at, at + jitterMinutes], once nobody is using the kiosk (at the window\'s end at the latest).'),
      wakeOnTouchMinutes: z
        .number()
        .min(0)
        .max(1440)
        .default(5)
        .describe('A touch on a screen that is off wakes it for this long; that touch never reaches the page.'),
    })
    .superRefine(checkSchedule)
    .prefault({}),
  recovery: z
    .strictObject({
      maxRendererMemoryMB: z
        .number()
        .min(64)
        .max(65_536)
        .default(1536)
        .describe('A page whose renderer process holds more than this (resident memory, as the system counts it) is replaced at the next idle moment (at once above 1.5 times this).'),
      memoryCheckSeconds: z.number().min(1).max(3600).default(60).describe('How often the renderer\'s memory is sampled.'),
    })
    .prefault({}),
});

/** The schedule: display-off windows well-formed, none wholly inside another, not off all week by accident; a restart window within its day. */
function checkSchedule(
  schedule: { displayOff: { days: string; from: string; to: string }[]; allowAlwaysOff: boolean; restart?: { at: string; jitterMinutes: number } | undefined },
  ctx: z.RefinementCtx,
): void {
  const restartAt = schedule.restart === undefined ? undefined : parseTime(schedule.restart.at);
  if (typeof restartAt === 'number' && schedule.restart !== undefined && restartAt + schedule.restart.jitterMinutes > MINUTES_PER_DAY) {
    ctx.addIssue({ code: 'custom', path: ['restart', 'jitterMinutes'], message: 'the restart window must end by 24:00 (move "at" earlier or shorten the jitter)' });
  }
  const intervals: { index: number; interval: Interval }[] = [];
  schedule.displayOff.forEach((window, index) => {
    const days = parseDays(window.days);
    const from = parseTime(window.from);
    const to = parseTime(window.to);
    if (typeof days === 'string' || typeof from === 'string' || typeof to === 'string') return;
    if (from === to) {
      ctx.addIssue({ code: 'custom', path: ['displayOff', index, 'to'], message: 'must differ from "from" (for a whole day write "00:00" to "24:00")' });
      return;
    }
    if (from === MINUTES_PER_DAY) {
      ctx.addIssue({ code: 'custom', path: ['displayOff', index, 'from'], message: 'a window cannot start at 24:00 (write 00:00 of the next day)' });
      return;
    }
    for (const interval of windowIntervals(days, from, to)) intervals.push({ index, interval });
  });
  // Windows may overlap (the display is off in their union: a weeknight window may run into
  // a weekend-long one); one that adds nothing to another is a mistake worth naming.
  const byWindow = new Map<number, Interval[]>();
  for (const { index, interval } of intervals) byWindow.set(index, [...(byWindow.get(index) ?? []), interval]);
  for (const [index, own] of byWindow) {
    for (const [other, theirs] of byWindow) {
      if (other === index || (other > index && coveredMinutes(own) === coveredMinutes(theirs))) continue;
      if (coveredMinutes([...theirs, ...own]) !== coveredMinutes(theirs)) continue;
      ctx.addIssue({ code: 'custom', path: ['displayOff', index], message: `lies wholly inside displayOff[${other}], so it changes nothing; remove it or correct its days and times` });
      break;
    }
  }
  if (!schedule.allowAlwaysOff && intervals.length > 0 && coveredMinutes(intervals.map((i) => i.interval)) >= MINUTES_PER_WEEK) {
    ctx.addIssue({ code: 'custom', path: ['displayOff'], message: 'keeps the display off all week; if that is meant, set schedule.allowAlwaysOff to true' });
  }
}

/** The configuration as written: what a file, the environment or the command line may hold. */
export type ConfigInput = z.input<typeof configSchema>;
/** The configuration after validation, defaults filled in. */
export type KioskConfig = z.output<typeof configSchema>;
export type WsUpstreamConfig = z.output<typeof wsUpstream>;
export type ApiUpstreamConfig = z.output<typeof apiUpstream>;

/** An upstream endpoint whose token has been read (from `token` or `tokenFile`). */
export type WithToken<T> = Omit<T, 'token'> & { token: string };
export interface Upstreams {
  ws: WithToken<WsUpstreamConfig>;
  api: WithToken<ApiUpstreamConfig>;
}
/** What the relay runs on: a valid config whose upstreams are known and whose tokens are loaded. */
export type RuntimeConfig = Omit<KioskConfig, 'upstream'> & { upstream: Upstreams };
