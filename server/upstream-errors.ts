// One table from "how the upstream failed" to what the kiosk page is told. The body is
// small, fixed JSON: the UI uses `error` to tell a network failure from an API failure,
// and nothing from the failed exchange (URL, headers, token) is ever echoed.

export interface UpstreamFailure {
  status: 502 | 504;
  body: { error: 'upstream-unreachable' | 'upstream-timeout' | 'upstream-failed'; code: string };
}

const TIMEOUTS = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
]);

export function describeUpstreamFailure(error: unknown): UpstreamFailure {
  const code = errorCode(error);
  if (TIMEOUTS.has(code)) return { status: 504, body: { error: 'upstream-timeout', code } };
  if (UNREACHABLE.has(code)) return { status: 502, body: { error: 'upstream-unreachable', code } };
  // Resets, protocol errors (HPE_*), TLS failures and anything unknown.
  return { status: 502, body: { error: 'upstream-failed', code } };
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? code : 'EUNKNOWN';
}
