#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A hostile channel server on 127.0.0.1 for envtool's transfer-bound tests
(issue 9: a server must not hang envtool nor fill its memory).

usage: hostile_server.py ROOT LOGFILE

Listens on a free port of 127.0.0.1 and prints it on stdout (one line, then
stdout is closed), so the test waits on the pipe, not on a sleep.  Serves
the files under ROOT; the first path segment is KIND-BEHAVIOUR, where KIND
says which requests misbehave ("repo": repodata.json and repodata.json.zst,
"pkg": everything else, i.e. package archives) and the others are served
plainly (a missing file is 404):

  ok             every file plainly
  KIND-404       404 with an endless body (chunked, never finished)
  KIND-500       500 with an endless body
  KIND-408       408 (Request Timeout) with a short body, every time
  KIND-drip      200, then one byte (a space) every 0.5 s, forever (for
                 repo: repodata.json; repodata.json.zst is 404)
  repo-gzip      repodata.json sent with "Content-Encoding: gzip": a valid
                 gzip stream, about 2 MB on the wire, that inflates to 2 GiB
                 of JSON whitespace (repodata.json.zst is 404)
  repo-zst       repodata.json.zst: a valid zstd frame of about 64 kB that
                 decompresses to 2 GiB of JSON whitespace
  pkg-more       the package, then endless extra bytes (no Content-Length)
  KIND-redirect  302 to /ok/... (the same file, served plainly) with an
                 endless body, which libcurl drains before following
  KIND-moved     302 to /ok/... with a short body (a normal redirect)

Every request is logged to LOGFILE as "PATH STATUS".
"""
import http.server
import os
import struct
import sys
import threading
import time
import urllib.parse
import zlib

ROOT, LOGFILE = sys.argv[1:3]
lock = threading.Lock()
GIB = 1 << 30
BOMB = 2 * GIB
CHUNK = 64 * 1024


def gzip_bomb():
    """Yield a gzip stream of BOMB spaces without ever holding much of it."""
    block = b" " * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    # a full flush makes the piece independent of what came before, so the
    # same bytes can be sent again and again: each inflates to 1 MiB
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
    crc = 0
    for _ in range(BOMB // len(block)):
        yield piece
    # only reached by a client that inflated all of it
    for _ in range(BOMB // len(block)):
        crc = zlib.crc32(block, crc)
    yield c.flush(zlib.Z_FINISH) + struct.pack("<II", crc, BOMB & 0xFFFFFFFF)


def zst_bomb():
    """A zstd frame of BOMB spaces: RLE blocks of 128 KiB, 4 bytes each."""
    block = 128 * 1024
    out = [b"\x28\xb5\x2f\xfd",  # magic
           b"\x00",              # no content size, no checksum, no dictionary
           bytes([(17 - 10) << 3])]  # window 2^17
    n = BOMB // block
    for i in range(n):
        last = 1 if i == n - 1 else 0
        out.append(struct.pack("<I", (block << 3) | (1 << 1) | last)[:3] + b" ")
    return b"".join(out)


ZST_BOMB = zst_bomb()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def log(self, path, status):
        with lock, open(LOGFILE, "a") as f:
            f.write(f"{path} {status}\n")

    def do_GET(self):
        path = urllib.parse.unquote(self.path.split("?")[0])
        parts = path.lstrip("/").split("/", 1)
        mode, rest = parts[0], parts[1] if len(parts) > 1 else ""
        kind, _, how = mode.partition("-")
        name = os.path.basename(rest)
        is_repo = name.startswith("repodata.json")
        if kind != ("repo" if is_repo else "pkg"):
            how = "ok"
        full = os.path.normpath(os.path.join(ROOT, rest))
        exists = full.startswith(os.path.abspath(ROOT) + "/") and os.path.isfile(full)
        try:
            if how in ("404", "500"):
                return self.endless(path, int(how))
            if how == "408":
                return self.answer(path, 408, b"request timeout\n")
            if how == "redirect":
                def forever():
                    while True:
                        yield b"x" * CHUNK
                return self.stream(path, 302, forever(), {"Location": "/ok/" + rest})
            if how == "moved":
                self.log(path, 302)
                self.send_response(302)
                self.send_header("Location", "/ok/" + rest)
                self.send_header("Content-Length", "6")
                self.end_headers()
                return self.wfile.write(b"moved\n")
            if how == "drip" and name != "repodata.json.zst":
                return self.drip(path)
            if how == "gzip" and name == "repodata.json":
                return self.stream(path, 200, gzip_bomb(), {"Content-Encoding": "gzip"})
            if how == "zst" and name == "repodata.json.zst":
                return self.answer(path, 200, ZST_BOMB)
            if how in ("gzip", "zst", "drip") or not exists:
                return self.answer(path, 404, b"not found\n")
            data = open(full, "rb").read()
            if how == "more":
                def more():
                    yield data
                    while True:
                        yield b"\0" * CHUNK
                return self.stream(path, 200, more(), {}, chunked=False)
            return self.answer(path, 200, data)
        except (BrokenPipeError, ConnectionResetError):
            self.log(path, "client-gone")
            self.close_connection = True

    def answer(self, path, status, body):
        self.log(path, status)
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def stream(self, path, status, chunks, headers, chunked=True):
        """Send chunks (an iterator); chunked, or without a length and closed at the end."""
        self.log(path, status)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        for c in chunks:
            if not c:
                continue
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
            else:
                self.wfile.write(c)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def endless(self, path, status):
        def forever():
            while True:
                yield b"x" * CHUNK
        self.stream(path, status, forever(), {"Content-Type": "text/plain"})

    def drip(self, path):
        self.log(path, 200)
        self.send_response(200)
        self.send_header("Content-Length", str(1 << 30))
        self.end_headers()
        self.wfile.flush()
        while True:
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.5)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client that gives up (the point of these tests) is no error
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


srv = Server(("127.0.0.1", 0), Handler)
sys.stdout.write(f"{srv.server_address[1]}\n")
sys.stdout.close()
srv.serve_forever()
