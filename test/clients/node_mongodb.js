// SPDX-FileCopyrightText: 2026 The tlsdiag authors
// SPDX-License-Identifier: Apache-2.0
// node_mongodb.js: the npm mongodb driver sending "ping" once over TLS, for the runtime matrix
// (test/scenarios/runtimes). The driver comes from the npm cache runtimes.mk fills
// (NODE_PATH points there).
// usage: node --openssl-shared-config node_mongodb.js PORT CAFILE
// Prints "ok" and exits 0, or "NAME: MESSAGE" and exits 1.
const { MongoClient } = require('mongodb');
const [port, cafile] = process.argv.slice(2);
const uri = `mongodb://localhost:${port}/?tls=true&tlsCAFile=${encodeURIComponent(cafile)}` +
            '&directConnection=true&serverSelectionTimeoutMS=3000&connectTimeoutMS=3000';
(async () => {
    const client = new MongoClient(uri);
    try {
        await client.db('admin').command({ ping: 1 });
        console.log('ok');
        await client.close();
        process.exit(0);
    } catch (e) {
        // OpenSSL's error strings start with the thread's id (80BC6288917F0000:error:...).
        console.error(`${e.name}: ${e.message.replace(/\b[0-9A-F]{8,16}:error:/g, 'error:')}`);
        process.exit(1);
    }
})();
