import type { ServerResponse } from 'node:http';
import type { ShedResponse } from '../shedding/gate.js';

/** Writes a shedding response with node:http's own API (Express and plain http share it). */
export function writeShedResponse(res: ServerResponse, response: ShedResponse): void {
  if (res.headersSent) return;
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(response.body);
}
