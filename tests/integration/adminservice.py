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

Every request is appended to --log as "METHOD PATH?QUERY AUTH" (AUTH is
"basic-ok", "basic-bad" or "none"), so a test can check what was asked.
The chosen port is written to --port-file once the server listens. It
stops by itself after --lifetime seconds, whatever happens to the test.
"""
import argparse
import base64
import json
import os
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

    def log_message(self, fmt, *args):  # quiet: the request log is ours
        pass

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

    def do_GET(self):
        opts = self.server.opts
        auth = self._auth()
        with self.server.log_lock, open(opts.log, "a") as log:
            log.write(f"GET {self.path} {auth}\n")
        url = urlsplit(self.path)
        path, fault = url.path, None
        if path.startswith("/fault/"):
            fault, _, rest = path[len("/fault/"):].partition("/")
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
        skip = int(parse_qs(url.query).get("$skiptoken", ["0"])[0])
        rows = self.server.rows
        page = rows[skip:skip + opts.page_size]
        doc = {"@odata.context": f"https://127.0.0.1/AdminService/wmi/$metadata#SMS_DistributionStatus",
               "value": [dict(r, **{"@odata.etag": f'W/"{i}"'}) for i, r in enumerate(page, skip)]}
        if skip + opts.page_size < len(rows):
            host = "elsewhere.invalid" if fault == "foreignlink" else f"127.0.0.1:{self.server.server_port}"
            prefix = f"/fault/{fault}" if fault else ""
            select = parse_qs(url.query).get("$select", [""])[0]
            doc["@odata.nextLink"] = (f"https://{host}{prefix}{PATH}?$select={select}"
                                      f"&$skiptoken={skip + opts.page_size}")
        self._send(200, json.dumps(doc))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hangs up mid-answer (the size-cap case) is expected:
        # one line, not a traceback.
        with open(self.opts.log, "a") as log:
            log.write(f"# client {client_address[0]} went away: {sys.exc_info()[1]!r}\n")


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
    ap.add_argument("--lifetime", type=float, default=300)
    opts = ap.parse_args()

    srv = Server(("127.0.0.1", 0), Handler)
    srv.opts = opts
    srv.rows = load_rows(opts.data)
    srv.log_lock = threading.Lock()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(opts.cert, opts.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Timer(opts.lifetime, srv.shutdown).start()
    with open(opts.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_port))
    os.rename(opts.port_file + ".tmp", opts.port_file)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
