// The recipe kiosk builders use today (the seed post: "Token-based Header Authentication
// for WebSockets behind Node.js"): Express with http-proxy-middleware `ws: true`, piping
// the upgrade to the upstream with the token header injected. No guard, no frame limits,
// no message rules: a byte pipe after the handshake. It is the baseline for the relay.
//   BENCH_TARGET  the upstream (ws://127.0.0.1:PORT)
//   BENCH_WS_TOKEN the header value; prints {"event":"ready","port":N}
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { AddressInfo } from 'node:net';

const app = express();
const wsProxy = createProxyMiddleware({
  pathFilter: '/',
  target: process.env.BENCH_TARGET,
  changeOrigin: true,
  ws: true,
  headers: { Authorization: process.env.BENCH_WS_TOKEN ?? '' },
});
app.use(wsProxy);
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ event: 'ready', port: (server.address() as AddressInfo).port })}\n`);
});
server.on('upgrade', wsProxy.upgrade);
process.once('SIGTERM', () => process.exit(0));
