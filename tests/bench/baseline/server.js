// Baseline for the hubchat benchmark: the gorilla chat example's hub in node
// `ws`. One room; every text message is broadcast to every client (sender
// included), one frame per message (legacy dialect). Usage: node server.js PORT
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 8090);
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });

wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    // gorilla: TrimSpace(Replace(msg, "\n", " ")); our bodies have neither.
    for (const client of wss.clients) {
      if (client.readyState === 1) client.send(data, { binary: false });
    }
  });
  ws.on('error', () => {});
});
wss.on('listening', () => console.log(`baseline listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
