import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook receiver on this machine that answers 503 until it is fixed; it records each webhook-id it accepted. */
export function receiver() {
  const state = { up: false, accepted: [] as string[], url: '' };
  const server = createServer((req, res) => {
    req.resume();
    if (!state.up) return res.writeHead(503).end();
    state.accepted.push(String(req.headers['webhook-id']));
    res.writeHead(204).end();
  });
  return {
    state,
    start: () =>
      new Promise<void>((r) =>
        server.listen(0, '127.0.0.1', () => {
          state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
          r();
        }),
      ),
    stop: () => new Promise((r) => server.close(r)),
  };
}
