// A tiny agent service: POST /agent/run {"prompt": "..."} runs one agent turn with tools.
//   AGENT_TOOLS=sync (default) uses sync-tools.js, which blocks the event loop;
//   AGENT_TOOLS=async uses async-tools.js, the same tools without blocking.
//   PORT (default 3000; 0 picks a free port) and HOST (default 127.0.0.1) choose where it listens.
import { createServer } from 'node:http';
import { runAgent } from './agent.js';
import { config } from './config.js';

const toolsKind = process.env.AGENT_TOOLS === 'async' ? 'async' : 'sync';
const tools = await import(toolsKind === 'async' ? './async-tools.js' : './sync-tools.js');

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return raw ? JSON.parse(raw) : {};
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, { ok: true, tools: toolsKind });
  if (req.method !== 'POST' || (req.url !== '/agent/run' && req.url !== '/chat')) {
    return send(res, 404, { error: 'try POST /agent/run {"prompt": "..."}' });
  }
  readJson(req)
    .then((body) => runAgent(String(body.prompt ?? ''), tools))
    .then((result) => send(res, 200, { model: config.model, tools: toolsKind, ...result }))
    .catch((error) => send(res, 500, { error: String(error?.message ?? error) }));
});

server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  // agent-lag demo waits for this line to learn the port.
  console.log(`agent-service listening on http://${address}:${port} (tools: ${toolsKind})`);
});

// Exit normally on SIGTERM/SIGINT so exit hooks (such as the monitor's final summary) run.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
