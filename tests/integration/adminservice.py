#!/usr/bin/env python3
"""A stand-in for the ConfigMgr AdminService, for smsdistd's tests.

Serves GET /AdminService/wmi/SMS_DistributionStatus over HTTPS on
127.0.0.1 from the rows of a JSON export, in pages of --page-size rows with
an absolute "@odata.nextLink" on every page but the last, behind HTTP Basic
authentication. Faults are chosen by a path prefix, so one server serves
every case a test needs:

  /fault/500/...          HTTP 500
  /fault/hang/...         no answer for --hang seconds (past the client's timeout)
  /fault/badjson/...      200 with a body that is not JSON
  /fault/huge/...         200 with a body of --huge-bytes bytes
  /fault/foreignlink/...  a nextLink pointing at another host
  /fault/trickle/...      200 and the headers at once, then the body one byte
                          every --trickle-interval seconds (a download that
                          takes for ever)
  /fault/slowpage/...     every page answered after --page-delay seconds
  /size/N/...             pages of N rows instead of --page-size

Prefixes combine (/fault/slowpage/size/1/AdminService/...) and are kept in
each page's nextLink, so every page of a load gets the same treatment. The
server speaks HTTP/1.1 with keep-alive, as IIS does, so a client may send
all its pages over one connection.

Every request is appended to --log as "METHOD PATH?QUERY AUTH" (AUTH is
"basic-ok", "basic-bad" or "none"), so a test can check what was asked;
with --conn-log, every new connection (each one a TLS handshake) is
appended there as "CONNECT <client port> <TLS version> resumed=<bool>", so
a test can count them. With --plain-port-file, a second port answers every
connection at once with a plain-HTTP 400 and closes it: what a TLS client
meets when the https port speaks plain HTTP; with --stall-port-file, a third
port accepts connections and never says a word (a TLS handshake that hangs). The chosen port is written to
--port-file once the server listens. It stops by itself after --lifetime
seconds, whatever happens to the test.
"""
import argparse
import base64
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PATH = "/AdminService/wmi/SMS_DistributionStatus"


def load_rows(path):
    with open(path, encoding="utf-8-sig") as f:
        doc = json.load(f)
    return doc["value"] if isinstance(doc, dict) else doc


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeAdminService/1.0"
    protocol_version = "HTTP/1.1"       # keep-alive: one connection may carry many pages
    # Headers and body go out in two writes: without TCP_NODELAY the body
    # waits for the client's delayed ACK (40 ms a page on a kept connection).
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # quiet: the request log is ours
        pass

    def setup(self):
        # The TLS handshake happens here, in this connection's thread, so a
        # client that stalls it holds up no one else.
        self.request.do_handshake()
        opts = self.server.opts
        if opts.conn_log:
            with self.server.log_lock, open(opts.conn_log, "a") as log:
                log.write(f"CONNECT {self.client_address[1]} {self.request.version()} "
                          f"resumed={self.request.session_reused}\n")
        super().setup()

    def _log(self, line):
        with self.server.log_lock, open(self.server.opts.log, "a") as log:
            log.write(line + "\n")

    def _auth(self):
        want = self.server.opts
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return "none"
        try:
            user, _, pw = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return "basic-bad"
        return "basic-ok" if (user, pw) == (want.user, want.password) else "basic-bad"

    def _send(self, code, body, ctype="application/json; odata.metadata=minimal"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        if code == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="AdminService"')
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _trickle(self, body):
        """The headers at once, then the body a byte at a time, slowly."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json; odata.metadata=minimal")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for i in range(len(body)):
            self.wfile.write(body[i:i + 1])
            self.wfile.flush()
            if i == 0:
                self._log("TRICKLE started")
            time.sleep(self.server.opts.trickle_interval)

    def do_GET(self):
        opts = self.server.opts
        auth = self._auth()
        self._log(f"GET {self.path} {auth}")
        url = urlsplit(self.path)
        path, fault, size, prefix = url.path, None, opts.page_size, ""
        while True:
            head, _, rest = path[1:].partition("/")
            arg, _, rest = rest.partition("/")
            if head == "fault" and arg:
                fault = arg
            elif head == "size" and arg.isdigit() and int(arg) > 0:
                size = int(arg)
            else:
                break
            prefix += f"/{head}/{arg}"
            path = "/" + rest
        if path != PATH:
            return self._send(404, '{"error":"not found"}')
        if auth != "basic-ok":
            return self._send(401, '{"error":"unauthorized"}')
        if fault == "500":
            return self._send(500, '{"error":{"code":"500","message":"provider failure"}}')
        if fault == "hang":
            time.sleep(opts.hang)
            return self._send(200, '{"value":[]}')
        if fault == "badjson":
            return self._send(200, '{"value":[{"ObjectID":"PS100001",')
        if fault == "huge":
            return self._send(200, b'{"value":[' + b" " * opts.huge_bytes + b"]}")
        if fault == "slowpage":
            time.sleep(opts.page_delay)
        skip = int(parse_qs(url.query).get("$skiptoken", ["0"])[0])
        rows = self.server.rows
        page = rows[skip:skip + size]
        doc = {"@odata.context": f"https://127.0.0.1/AdminService/wmi/$metadata#SMS_DistributionStatus",
               "value": [dict(r, **{"@odata.etag": f'W/"{i}"'}) for i, r in enumerate(page, skip)]}
        if skip + size < len(rows):
            host = "elsewhere.invalid" if fault == "foreignlink" else f"127.0.0.1:{self.server.server_port}"
            select = parse_qs(url.query).get("$select", [""])[0]
            doc["@odata.nextLink"] = (f"https://{host}{prefix}{PATH}?$select={select}"
                                      f"&$skiptoken={skip + size}")
        if fault == "trickle":
            return self._trickle(json.dumps(doc).encode())
        self._send(200, json.dumps(doc))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hangs up mid-answer (the size-cap case) is expected:
        # one line, not a traceback.
        with open(self.opts.log, "a") as log:
            log.write(f"# client {client_address[0]} went away: {sys.exc_info()[1]!r}\n")


def plain_http(sock, log, lock):
    """Answers every connection at once in plain HTTP, then closes it."""
    while True:
        conn, _ = sock.accept()
        with conn:
            with lock, open(log, "a") as f:
                f.write("PLAIN connection\n")
            try:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                             b"Connection: close\r\n\r\n")
            except OSError:
                pass


def stall(sock, log, lock):
    """Accepts connections and holds them, silent, until the server stops."""
    held = []
    while True:
        conn, _ = sock.accept()
        held.append(conn)
        with lock, open(log, "a") as f:
            f.write("STALL connection\n")


def listen_aside(target, port_file, opts, srv):
    """A second listener on 127.0.0.1 served by target in a thread."""
    sock = socket.create_server(("127.0.0.1", 0))
    threading.Thread(target=target, args=(sock, opts.log, srv.log_lock), daemon=True).start()
    with open(port_file + ".tmp", "w") as f:
        f.write(str(sock.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--user", default="smsdist")
    ap.add_argument("--password", default="secret")
    ap.add_argument("--page-size", type=int, default=7)
    ap.add_argument("--hang", type=float, default=10)
    ap.add_argument("--huge-bytes", type=int, default=2 * 1024 * 1024)
    ap.add_argument("--trickle-interval", type=float, default=0.5)
    ap.add_argument("--page-delay", type=float, default=1)
    ap.add_argument("--conn-log")
    ap.add_argument("--plain-port-file")
    ap.add_argument("--stall-port-file")
    ap.add_argument("--lifetime", type=float, default=300)
    opts = ap.parse_args()

    srv = Server(("127.0.0.1", 0), Handler)
    srv.opts = opts
    srv.rows = load_rows(opts.data)
    srv.log_lock = threading.Lock()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(opts.cert, opts.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    if opts.plain_port_file:
        listen_aside(plain_http, opts.plain_port_file, opts, srv)
    if opts.stall_port_file:
        listen_aside(stall, opts.stall_port_file, opts, srv)
    threading.Timer(opts.lifetime, srv.shutdown).start()
    with open(opts.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_port))
    os.rename(opts.port_file + ".tmp", opts.port_file)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
