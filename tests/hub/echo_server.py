"""A minimal single-user server for the hub tests.

Started by JupyterHub's LocalProcessSpawner instead of jupyterhub-singleuser:
it records the environment it was given (to check CPU_LIMIT, MEM_LIMIT ...),
then answers every GET on JUPYTERHUB_SERVICE_URL's port with a page that
shows those values, so the hub sees it up and the browser can read it.
"""

import html
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlparse

KEYS = ("CPU_LIMIT", "CPU_GUARANTEE", "MEM_LIMIT", "MEM_GUARANTEE", "JUPYTERHUB_USER")


def main() -> None:
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    if url.hostname != "127.0.0.1":
        sys.exit(f"refusing to listen on {url.hostname}: tests stay on 127.0.0.1")
    user = os.environ["JUPYTERHUB_USER"]
    run = os.environ["GROUPSPAWNER_TEST_RUN"]
    env_file = os.path.join(run, "env", user + ".json")
    with open(env_file + ".tmp", "w") as f:
        json.dump({k: os.environ.get(k) for k in KEYS}, f)
    os.replace(env_file + ".tmp", env_file)
    body = ("<!doctype html><title>echo server</title><h1 id='who'>%s</h1><dl>%s</dl>" % (
        html.escape(user),
        "".join("<dt>%s</dt><dd id='%s'>%s</dd>" % (k, k, html.escape(os.environ.get(k, "")))
                for k in KEYS))).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    HTTPServer(("127.0.0.1", url.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
