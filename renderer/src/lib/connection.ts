// The connection indicator: `live` only when the page's link to the shell is open AND the
// shell's link to the upstream is open. A link that is retrying after a failure shows
// `offline` throughout its retries instead of flickering through `connecting`.
import type { SocketState, UplinkState } from '/kiosk-shell/sdk.js';

export type ConnectionIndicator = 'live' | 'connecting' | 'offline';

export interface LinkStatus {
  socket: SocketState;
  /** Unknown until the shell's hello. */
  uplink: UplinkState | null;
  /** The uplink failed since it was last open. */
  uplinkFailed: boolean;
}

export const INITIAL_LINK_STATUS: LinkStatus = { socket: 'connecting', uplink: null, uplinkFailed: false };

export function withSocket(status: LinkStatus, socket: SocketState): LinkStatus {
  return status.socket === socket ? status : { ...status, socket };
}

export function withUplink(status: LinkStatus, uplink: UplinkState): LinkStatus {
  const uplinkFailed = uplink === 'open' ? false : uplink === 'waiting' || uplink === 'stopped' ? true : status.uplinkFailed;
  return status.uplink === uplink && status.uplinkFailed === uplinkFailed ? status : { ...status, uplink, uplinkFailed };
}

export function indicatorOf({ socket, uplink, uplinkFailed }: LinkStatus): ConnectionIndicator {
  if (socket === 'retrying') return 'offline';
  if (socket === 'connecting') return 'connecting';
  if (uplink === 'open') return 'live';
  if (uplink === 'waiting' || uplink === 'stopped' || uplinkFailed) return 'offline';
  return 'connecting';
}
