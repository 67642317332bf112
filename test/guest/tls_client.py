"""A Python (ssl module) TLS client that runs a plan of handshakes, for the repeat and hostile
checks. tlsdiag is in this process whenever the caller's environment loads it.

usage: tls_client.py [--log PATH] STEP...
  STEP is one of
    PORT,TRUST,NAME[,tls12-cipher=CIPHER]   one handshake to 127.0.0.1:PORT sending SNI NAME
                                            (hex:HEX for raw bytes); TRUST is "system" or a CA file
    sleep=SECONDS
    snapshot                                 record the events tlsdiag has written to PATH so far
Prints one JSON object: {"outcomes": "OF...", "snapshots": [[event, ...], ...]}."""
import json
import socket
import ssl
import sys
import time


def handshake(port, trust, name, cipher):
    ctx = ssl.create_default_context(cafile=None if trust == "system" else trust)
    if cipher:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(cipher)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            with ctx.wrap_socket(sock, server_hostname=name):
                return "O"
        except (ssl.SSLError, ConnectionError):
            return "F"


def events(path):
    out = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                out.append(json.loads(line)["event"])
    except FileNotFoundError:
        pass
    return out


def main():
    args = sys.argv[1:]
    log = None
    if args[:1] == ["--log"]:
        log, args = args[1], args[2:]
    outcomes, snapshots = "", []
    for step in args:
        if step.startswith("sleep="):
            time.sleep(float(step[6:]))
        elif step == "snapshot":
            snapshots.append(events(log))
        else:
            port, trust, name, *rest = step.split(",")
            if name.startswith("hex:"):
                name = bytes.fromhex(name[4:]).decode("utf-8", "surrogateescape")
            cipher = rest[0].split("=", 1)[1] if rest else None
            outcomes += handshake(int(port), trust, name, cipher)
    print(json.dumps({"outcomes": outcomes, "snapshots": snapshots}))


if __name__ == "__main__":
    main()
