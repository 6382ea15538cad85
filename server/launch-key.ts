// The per-launch key: proof that a caller is the kiosk's own page (which got it from the
// shell) and not another page or local process that merely found the port.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits from the CSPRNG, base64url: safe in a URL fragment, a header and a subprotocol token. */
export function createLaunchKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Constant-time comparison. Both sides are hashed first so that neither the length nor
 * the content of the expected key leaks through timing.
 */
export function keysMatch(expected: string, offered: string | undefined): boolean {
  if (offered === undefined || offered.length === 0 || offered.length > 512) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(offered));
}
