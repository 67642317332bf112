<?php
// SPDX-FileCopyrightText: 2026 The tlsdiag authors
// SPDX-License-Identifier: Apache-2.0
// drv_ping.php: the PHP MongoDB driver (ext-mongodb 1.15, which bundles libmongoc 1.23 and
// does its TLS handshake the same non-blocking way) pinging a server over TLS, for
// check-drivers (test/guest/t_drivers.py). tlsdiag is in this process whenever the
// caller's environment loads it.
//
// usage: php drv_ping.php URI CAFILE COUNT
//   COUNT Managers one after the other, each with its own libmongoc client
//   (disableClientPersistence), each sending "ping" to admin once.
// Prints "ping N ok" or "ping N error CLASS MESSAGE" per ping, then "done OK/COUNT".
[$uri, $cafile, $count] = array_slice($argv, 1, 3);
$ok = 0;
for ($i = 0; $i < (int) $count; $i++) {
    try {
        $m = new MongoDB\Driver\Manager($uri, [], ["ca_file" => $cafile, "disableClientPersistence" => true]);
        $m->executeCommand("admin", new MongoDB\Driver\Command(["ping" => 1]));
        $ok++;
        echo "ping $i ok\n";
    } catch (Throwable $e) {
        echo "ping $i error ", get_class($e), " ", str_replace(["\n", "\r"], " ", $e->getMessage()), "\n";
    }
    unset($m);
}
echo "done $ok/$count\n";
