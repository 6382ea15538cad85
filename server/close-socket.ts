// Closing a WebSocket politely but surely: a close frame with a code the peer can act on
// (1001 when the kiosk shuts down), then, if the peer does not answer within a grace
// period, the connection is cut. Both legs of the relay close this way.
import WebSocket from 'ws';

export function closeSocket(ws: WebSocket, code: number, reason: string, graceMs: number): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, graceMs);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // A handshake still under way has no close frame to send.
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(code, reason);
  });
}
