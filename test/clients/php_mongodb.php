<?php
// SPDX-FileCopyrightText: 2026 The tlsdiag authors
// SPDX-License-Identifier: Apache-2.0
// php_mongodb.php: the PHP MongoDB driver (ext-mongodb, which bundles libmongoc) sending "ping"
// once, for the runtime matrix (test/scenarios/runtimes).
//
// usage: php php_mongodb.php URI
//   The URI carries tls=true and the CA (tlsCAFile=...).
// Prints "ok" and exits 0, or "CLASS: MESSAGE" on stderr and exits 1.
$uri = $argv[1];
try {
    $m = new MongoDB\Driver\Manager($uri, [], ["disableClientPersistence" => true]);
    $m->executeCommand("admin", new MongoDB\Driver\Command(["ping" => 1]));
    echo "ok\n";
    exit(0);
} catch (Throwable $e) {
    fwrite(STDERR, get_class($e) . ": " . str_replace(["\n", "\r"], " ", $e->getMessage()) . "\n");
    exit(1);
}
