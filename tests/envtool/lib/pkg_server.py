#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A package server on 127.0.0.1 for envtool's download tests.

usage: pkg_server.py ROOT LOGFILE

Serves the files under ROOT (Range requests answered with 206) on a free
port, which it prints on stdout once it listens (one line, then stdout is
closed: the test waits on the pipe).  The first
path segment picks a behaviour:

  /ok/...      the file
  /dropmid/... the first request for each path sends half of the file
               (with the full Content-Length) and closes the connection;
               later ones answer normally, Range included
  /norange/... like /dropmid but Range is ignored (200 with everything)
  /wrong/...   the file with its bytes changed (same length)
  /slow/...    the file after 1 s
  /404/...     not found

Every request is logged to LOGFILE as "PATH STATUS range=<Range or ->".
"""
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

    def log(self, path, status):
        with lock, open(LOGFILE, "a") as f:
            f.write(f"{path} {status} range={self.headers.get('Range', '-')}\n")

    def first(self, path):
        with lock:
            if path in seen:
                return False
            seen.add(path)
            return True

    def do_GET(self):
        path = urllib.parse.unquote(self.path.split("?")[0])
        parts = path.lstrip("/").split("/", 1)
        mode, rest = parts[0], parts[1] if len(parts) > 1 else ""
        full = os.path.normpath(os.path.join(ROOT, rest))
        if mode == "404" or not full.startswith(os.path.abspath(ROOT)) or not os.path.isfile(full):
            return self.answer(path, 404, b"not found\n")
        data = open(full, "rb").read()
        if mode == "slow":
            time.sleep(1)
        if mode == "wrong":
            data = bytes(b ^ 0x5A for b in data)
        if mode in ("dropmid", "norange") and self.first(path):
            self.log(path, "drop")
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        rng = self.headers.get("Range")
        if rng and mode != "norange" and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= len(data):
                return self.answer(path, 416, b"")
            body = data[start:]
            self.log(path, 206)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.answer(path, 200, data)

    def answer(self, path, status, body):
        self.log(path, status)
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
sys.stdout.write(f"{srv.server_address[1]}\n")
sys.stdout.close()
srv.serve_forever()
