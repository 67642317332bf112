"""pyclient.py HOST PORT SERVER_NAME CAFILE: one HTTPS GET with Python's ssl module,
printing what an application would see (protocol, response, or the exception)."""
import socket
import ssl
import sys

host, port, server_name, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
context = ssl.create_default_context(cafile=cafile)
try:
    with socket.create_connection((host, port), timeout=20) as raw:
        with context.wrap_socket(raw, server_hostname=server_name) as tls:
            print(tls.version(), tls.cipher()[0])
            tls.sendall(b"GET /hello.txt HTTP/1.0\r\n\r\n")
            response = b""
            while True:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                response += chunk
            print(response.decode("utf-8", "replace"))
except OSError as e:  # ssl.SSLError included
    print("%s: %s" % (type(e).__name__, e))
    sys.exit(1)
