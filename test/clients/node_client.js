// SPDX-FileCopyrightText: 2026 The tlsdiag authors
// SPDX-License-Identifier: Apache-2.0
// A Node.js tls client as applications write it: Node verifies the server's certificate and its
// name in JavaScript after the handshake, and destroys the socket when either fails.
// usage: node --openssl-shared-config node_client.js PORT CAFILE [NAME [close]]
//   close: once connected, destroy the socket without sending anything
const tls = require('tls');
const fs = require('fs');
const [port, cafile, name, close] = process.argv.slice(2);
const s = tls.connect({ host: '127.0.0.1', port: +port, servername: name || 'localhost',
                        ca: fs.readFileSync(cafile) });
s.on('secureConnect', () => {
    console.log('connected');
    if (close) return s.destroy();
    s.write('GET / HTTP/1.0\r\n\r\n');
    s.end();
});
s.on('data', () => {});
s.on('error', e => { console.log('node:', e.code); process.exit(9); });
