#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A channel server on 127.0.0.1 for envtool's command-line tests.

usage: repo_server.py ROOT LOGFILE [CERT KEY]

With CERT and KEY (PEM files) it speaks HTTPS.

Serves the files under ROOT on a free port, which it prints on stdout once
it listens (one line, then stdout is closed: the test waits on the pipe).  The first path segment picks a behaviour:

  /ok/...      the file, with an ETag (If-None-Match -> 304), Last-Modified
               and "Cache-Control: max-age=0"; a missing file is 404
  /cache/...   the same with "Cache-Control: max-age=600"
  /fail500/... always 500
  /slow/...    waits 4 s before answering
  /drop/...    closes the connection without an answer
  /flaky/...   the first request for each path is dropped, then like /ok
  /throttle/.. the first request for each path gets 503, then like /ok
  /basic/...   like /ok with "Authorization: Basic" of NBK_TEST_USER and
               NBK_TEST_PASSWORD (from the server's environment), else 401
  /bearer/...  like /ok with "Authorization: Bearer NBK_TEST_TOKEN", else 401
  /t/TOKEN/MODE/... anaconda.org's token form: TOKEN must be NBK_TEST_TOKEN
               (else 403), then MODE as above

A folder is answered with its index.html (a pip "simple" index: see
make_pip_index.py); an .html file is sent as text/html.

A request in absolute form (GET http://host/ok/...) is answered as a proxy
would.  Every request is logged to LOGFILE as
"METHOD PATH STATUS proxy=0|1 inm=<If-None-Match> ua=<User-Agent>" (the
User-Agent last: it may hold spaces).
"""
import hashlib
import base64
import http.server
import os
import socket
import sys
import threading
import time
import urllib.parse

ROOT, LOGFILE = sys.argv[1:3]
seen = set()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def log(self, path, status, proxy):
        with lock, open(LOGFILE, "a") as f:
            f.write(f"{self.command} {path} {status} proxy={int(proxy)} "
                    f"inm={self.headers.get('If-None-Match', '-')} "
                    f"ua={self.headers.get('User-Agent', '-')}\n")

    def do_GET(self):
        path, proxy = self.path, False
        if path.startswith("http://"):
            proxy = True
            path = "/" + path.split("/", 3)[3]
        path = urllib.parse.unquote(path.split("?")[0])
        parts = path.lstrip("/").split("/", 1)
        mode, rest = parts[0], parts[1] if len(parts) > 1 else ""
        # credentials (NBK_TEST_USER/NBK_TEST_PASSWORD/NBK_TEST_TOKEN in the
        # server's environment): /t/TOKEN/MODE/..., /basic/..., /bearer/...
        if mode == "t":
            token, _, rest2 = rest.partition("/")
            if token != os.environ.get("NBK_TEST_TOKEN"):
                return self.answer(path, proxy, 403, b"bad token\n")
            parts = rest2.split("/", 1)
            mode, rest = parts[0], parts[1] if len(parts) > 1 else ""
        if mode in ("basic", "bearer"):
            if mode == "basic":
                pair = "%s:%s" % (os.environ.get("NBK_TEST_USER"), os.environ.get("NBK_TEST_PASSWORD"))
                want = "Basic " + base64.b64encode(pair.encode()).decode()
            else:
                want = "Bearer %s" % os.environ.get("NBK_TEST_TOKEN")
            if self.headers.get("Authorization") != want:
                return self.answer(path, proxy, 401, b"who are you?\n",
                                   {"WWW-Authenticate": 'Basic realm="nbkit"'})
        if mode == "drop" or (mode == "flaky" and self.first(path)):
            self.log(path, "drop", proxy)
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if mode == "fail500":
            return self.answer(path, proxy, 500, b"internal error\n")
        if mode == "throttle" and self.first(path):
            return self.answer(path, proxy, 503, b"try later\n")
        if mode == "slow":
            time.sleep(4)
        full = os.path.normpath(os.path.join(ROOT, rest))
        if os.path.isdir(full):
            full = os.path.join(full, "index.html")
        if not full.startswith(os.path.abspath(ROOT)) or not os.path.isfile(full):
            return self.answer(path, proxy, 404, b"not found\n")
        data = open(full, "rb").read()
        etag = '"%s"' % hashlib.md5(data).hexdigest()
        mtime = self.date_time_string(int(os.path.getmtime(full)))
        cc = "max-age=600" if mode == "cache" else "max-age=0"
        if self.headers.get("If-None-Match") == etag:
            return self.answer(path, proxy, 304, b"", {"ETag": etag, "Cache-Control": cc})
        headers = {"ETag": etag, "Last-Modified": mtime, "Cache-Control": cc}
        if full.endswith(".html"):
            headers["Content-Type"] = "text/html"
        self.answer(path, proxy, 200, data, headers)

    def first(self, path):
        with lock:
            if path in seen:
                return False
            seen.add(path)
            return True

    def answer(self, path, proxy, status, body, headers=None):
        self.log(path, status, proxy)
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
if len(sys.argv) >= 5:
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
sys.stdout.write(f"{srv.server_address[1]}\n")
sys.stdout.close()
srv.serve_forever()
