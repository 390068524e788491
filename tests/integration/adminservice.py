#!/usr/bin/env python3
"""A stand-in for the ConfigMgr AdminService, for smsdistd's tests.

Serves GET /AdminService/wmi/SMS_DistributionStatus over HTTPS on
127.0.0.1 from the rows of a JSON export, in pages of --page-size rows with
an absolute "@odata.nextLink" on every page but the last, behind the
authentication chosen by --auth (see below; HTTP Basic by default). Faults
are chosen by a path prefix, so one server serves every case a test needs:

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
  /auth/MODE/...          authentication MODE (below) instead of --auth

Prefixes combine (/fault/slowpage/size/1/AdminService/...) and are kept in
each page's nextLink, so every page of a load gets the same treatment. The
server speaks HTTP/1.1 with keep-alive, as IIS does, so a client may send
all its pages over one connection.

Authentication (--auth), each answering a request without valid
credentials with 401 and its WWW-Authenticate header(s):

  basic      Basic, --user and --password (the default)
  negotiate  Negotiate (SPNEGO/Kerberos), accepted with python3-gssapi from
             the service keys in --keytab (e.g. HTTP/provider.sd.test); a
             good ticket gets 200 with the mutual-authentication token
  ntlm       NTLM: a NEGOTIATE_MESSAGE (type 1) gets 401 and a
             CHALLENGE_MESSAGE (type 2) on the same keep-alive connection;
             the AUTHENTICATE_MESSAGE (type 3) must carry an NTLMv2 response
             from a --ntlm-user 'DOMAIN\\user' with --ntlm-password
  both       Negotiate and NTLM, offered in that order as IIS does with
             Windows authentication; either is accepted
  none       no authentication at all

Every request is appended to --log as "METHOD PATH?QUERY AUTH", AUTH being
the outcome: "basic-ok", "basic-bad", "negotiate-ok PRINCIPAL",
"negotiate-bad (why)", "ntlm-challenge" (a type 1 answered), "ntlm-ok
DOMAIN\\user", "ntlm-bad DOMAIN\\user (why)", "ntlm-conn DOMAIN\\user" (a
request on a connection NTLM authenticated before: NTLM authenticates the
connection, as IIS does), "unoffered SCHEME" (credentials of a scheme this
server did not offer) or "none" (no Authorization header). A test can so
check what was asked and how it was authenticated; no password is ever
written there. With --conn-log, every new connection (each one a TLS
handshake) is appended there as "CONNECT <client port> <TLS version>
resumed=<bool>", so a test can count them. With --plain-port-file, a second port answers every
connection at once with a plain-HTTP 400 and closes it: what a TLS client
meets when the https port speaks plain HTTP; with --stall-port-file, a third
port accepts connections and never says a word (a TLS handshake that hangs). The chosen port is written to
--port-file once the server listens. It stops by itself after --lifetime
seconds, whatever happens to the test.
"""
import argparse
import base64
import hmac
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PATH = "/AdminService/wmi/SMS_DistributionStatus"
AUTH_MODES = ("basic", "negotiate", "ntlm", "both", "none")


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

    # --- authentication ---------------------------------------------------
    # _auth(mode) returns (outcome, granted, headers): the outcome for the
    # log, whether the request may have its answer, and the WWW-Authenticate
    # values to send with it (a 401's challenges, or the mutual-auth token
    # of a 200). NTLM's state lives in the handler: one handler serves one
    # connection, and NTLM authenticates a connection, not a request.
    ntlm_challenge = None       # the type 2's server challenge, waiting for a type 3
    ntlm_user = None            # who NTLM authenticated on this connection

    @staticmethod
    def _offers(mode):
        return {"basic": ['Basic realm="AdminService"'], "negotiate": ["Negotiate"],
                "ntlm": ["NTLM"], "both": ["Negotiate", "NTLM"], "none": []}[mode]

    def _auth(self, mode):
        offers = self._offers(mode)
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        scheme, token = scheme.lower(), token.strip()
        if mode == "none":
            return "none", True, []
        if not header:
            if self.ntlm_user is not None and "NTLM" in offers:
                return f"ntlm-conn {self.ntlm_user}", True, []
            return "none", False, offers
        if scheme not in [o.split()[0].lower() for o in offers]:
            return f"unoffered {scheme.capitalize()}", False, offers
        if scheme == "basic":
            want = self.server.opts
            try:
                user, _, pw = base64.b64decode(token).decode().partition(":")
            except ValueError:
                return "basic-bad", False, offers
            ok = (user, pw) == (want.user, want.password)
            return ("basic-ok" if ok else "basic-bad"), ok, ([] if ok else offers)
        try:
            blob = base64.b64decode(token, validate=True)
        except ValueError:
            return f"{scheme}-bad (not base64)", False, offers
        if scheme == "negotiate":
            return self._negotiate(blob, offers)
        return self._ntlm(blob, offers)

    def _negotiate(self, blob, offers):
        """One SPNEGO/Kerberos round: an AP-REQ in, the AP-REP out."""
        import gssapi           # only when asked for: --auth basic needs no python3-gssapi
        if not self.server.opts.keytab:
            return "negotiate-bad (the server has no --keytab)", False, offers
        try:
            creds = gssapi.Credentials(usage="accept", store={"keytab": self.server.opts.keytab})
            ctx = gssapi.SecurityContext(creds=creds, usage="accept")
            out = ctx.step(blob)
            # A ticket refused for its times (skew, expired, not yet valid)
            # leaves the context half-open with an error token: asking
            # whether it is complete raises the Kerberos error.
            if not ctx.complete:
                # Kerberos needs one round; a second would be SPNEGO with another mech
                return "negotiate-bad (context not complete after one round)", False, offers
            who = str(ctx.initiator_name)
        except gssapi.exceptions.GSSError as e:
            # the minor status is the Kerberos reason ("Clock skew too great")
            why = str(e)
            minor = why.rpartition("Minor (")[2].partition("): ")[2] or why
            return f"negotiate-bad ({' '.join(minor.split())})", False, offers
        # the 401 to a refused ticket offers Negotiate again, bare (as IIS
        # does), not the error token
        mutual = [f"Negotiate {base64.b64encode(out).decode()}"] if out else []
        return f"negotiate-ok {who}", True, mutual

    # NTLM, the server's side, with python3-impacket's ntlm module for the
    # messages and the hashes. (Not gss-ntlmssp behind python3-gssapi:
    # Debian 12's gss-ntlmssp 1.2.0 refuses libcurl's 32-byte
    # NEGOTIATE_MESSAGE, which has no Version field, so libcurl's NTLM would
    # never get past its first message.)
    # (A Negotiate header carrying NTLMSSP, as Windows' SPNEGO may send, is
    # not taken: libcurl sends NTLM under its own name.)
    def _ntlm(self, blob, offers):
        try:
            return self._ntlm_step(blob, offers)
        except Exception as e:  # a malformed message: refused, not a dropped connection
            return f"ntlm-bad (malformed message: {e!r})", False, offers

    def _ntlm_step(self, blob, offers):
        from impacket import ntlm
        if blob[:8] != b"NTLMSSP\0" or len(blob) < 12:
            return "ntlm-bad (not an NTLMSSP message)", False, offers
        kind = struct.unpack("<L", blob[8:12])[0]
        if kind == 1:
            self.ntlm_user = None
            neg = ntlm.NTLMAuthNegotiate()
            neg.fromString(blob)
            self.ntlm_challenge = os.urandom(8)
            return "ntlm-challenge", False, [f"NTLM {base64.b64encode(self._ntlm_type2(neg['flags'])).decode()}"]
        if kind != 3:
            return f"ntlm-bad (message type {kind})", False, offers
        challenge, self.ntlm_challenge = self.ntlm_challenge, None
        auth = ntlm.NTLMAuthChallengeResponse()
        auth.fromString(blob)
        enc = "utf-16le" if auth["flags"] & ntlm.NTLMSSP_NEGOTIATE_UNICODE else "latin-1"
        domain = auth["domain_name"].decode(enc, "replace")
        user = auth["user_name"].decode(enc, "replace")
        who = f"{domain}\\{user}"
        if challenge is None:
            return f"ntlm-bad {who} (no challenge on this connection)", False, offers
        want_domain, _, want_user = self.server.opts.ntlm_user.rpartition("\\")
        if (domain.upper(), user.upper()) != (want_domain.upper(), want_user.upper()):
            return f"ntlm-bad {who} (unknown user)", False, offers
        nt = auth["ntlm"]
        if len(nt) <= 24:
            return f"ntlm-bad {who} (an NTLMv1 response: refused)", False, offers
        # NTLMv2: NTProofStr = HMAC-MD5(NTOWFv2(user, password, domain),
        # server challenge + the client's blob), the response's first 16 bytes
        key = ntlm.NTOWFv2(user, self.server.opts.ntlm_password, domain)
        proof = ntlm.hmac_md5(key, challenge + nt[16:])
        if not hmac.compare_digest(proof, nt[:16]):
            return f"ntlm-bad {who} (wrong password)", False, offers
        self.ntlm_user = who
        return f"ntlm-ok {who}", True, []

    def _ntlm_type2(self, client_flags):
        """A CHALLENGE_MESSAGE with the target information an NTLMv2 client needs."""
        from impacket import ntlm
        domain = self.server.opts.ntlm_user.rpartition("\\")[0] or "SD"
        host = "PROVIDER"
        info = ntlm.AV_PAIRS()
        info[ntlm.NTLMSSP_AV_HOSTNAME] = host.encode("utf-16le")
        info[ntlm.NTLMSSP_AV_DOMAINNAME] = domain.upper().encode("utf-16le")
        info[ntlm.NTLMSSP_AV_DNS_HOSTNAME] = "provider.sd.test".encode("utf-16le")
        info[ntlm.NTLMSSP_AV_DNS_DOMAINNAME] = "sd.test".encode("utf-16le")
        info[ntlm.NTLMSSP_AV_TIME] = struct.pack("<q", 116444736000000000 + int(time.time() * 10000000))
        msg = ntlm.NTLMAuthChallenge()
        msg["flags"] = (ntlm.NTLMSSP_NEGOTIATE_UNICODE | ntlm.NTLMSSP_REQUEST_TARGET |
                        ntlm.NTLMSSP_NEGOTIATE_NTLM | ntlm.NTLMSSP_TARGET_TYPE_DOMAIN |
                        ntlm.NTLMSSP_NEGOTIATE_TARGET_INFO |
                        (client_flags & (ntlm.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
                                         ntlm.NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
                                         ntlm.NTLMSSP_NEGOTIATE_128 | ntlm.NTLMSSP_NEGOTIATE_56)))
        msg["domain_name"] = domain.upper().encode("utf-16le")
        msg["challenge"] = self.ntlm_challenge
        msg["TargetInfoFields"] = info
        msg["Version"] = b""
        msg["domain_offset"] = 48          # no Version field: the payload starts at 48
        msg["TargetInfoFields_offset"] = 48 + len(msg["domain_name"])
        return msg.getData()

    def _send(self, code, body, ctype="application/json; odata.metadata=minimal", auth=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        if auth is None and code == 401:
            auth = self._offers(self.server.opts.auth)
        for value in auth or []:
            self.send_header("WWW-Authenticate", value)
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
        url = urlsplit(self.path)
        path, fault, size, prefix, mode = url.path, None, opts.page_size, "", opts.auth
        while True:
            head, _, rest = path[1:].partition("/")
            arg, _, rest = rest.partition("/")
            if head == "fault" and arg:
                fault = arg
            elif head == "size" and arg.isdigit() and int(arg) > 0:
                size = int(arg)
            elif head == "auth" and arg in AUTH_MODES:
                mode = arg
            else:
                break
            prefix += f"/{head}/{arg}"
            path = "/" + rest
        auth, granted, www = self._auth(mode)
        self._log(f"GET {self.path} {auth}")
        if path != PATH:
            return self._send(404, '{"error":"not found"}', auth=[])
        if not granted:
            return self._send(401, '{"error":"unauthorized"}', auth=www)
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
            # the host the client asked for, as IIS writes it (an FQDN
            # reached through --resolve stays that FQDN)
            host = ("elsewhere.invalid" if fault == "foreignlink"
                    else self.headers.get("Host") or f"127.0.0.1:{self.server.server_port}")
            select = parse_qs(url.query).get("$select", [""])[0]
            doc["@odata.nextLink"] = (f"https://{host}{prefix}{PATH}?$select={select}"
                                      f"&$skiptoken={skip + size}")
        if fault == "trickle":
            return self._trickle(json.dumps(doc).encode())
        self._send(200, json.dumps(doc), auth=www)


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
    ap.add_argument("--auth", choices=AUTH_MODES, default="basic",
                    help="the authentication asked for (default basic)")
    ap.add_argument("--keytab", help="negotiate, both: the service keys (HTTP/host@REALM)")
    ap.add_argument("--ntlm-user", default="SD\\smsdist", help="ntlm, both: DOMAIN\\user")
    ap.add_argument("--ntlm-password", default="secret")
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
    if opts.auth in ("negotiate", "both") and not opts.keytab:
        ap.error(f"--auth {opts.auth} needs --keytab")
    if opts.keytab:
        os.environ["KRB5_KTNAME"] = "FILE:" + os.path.abspath(opts.keytab)
        import gssapi  # noqa: F401  (fail now, not at the first request)
    if opts.auth in ("ntlm", "both"):
        from impacket import ntlm  # noqa: F401

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
