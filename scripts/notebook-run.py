#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Run a notebook through a running Jupyter server, as a browser would.

usage: scripts/notebook-run.py BASE_URL KERNEL PATH CODE...

JUPYTER_TOKEN (from the environment, never argv) is the server's token.
Saves a notebook PATH in the server's contents (/api/contents) with one
code cell per CODE, starts a session of the kernel KERNEL for it
(/api/sessions), runs each cell over the kernel's websocket
(/api/kernels/ID/channels, Jupyter's messaging protocol 5.3; tornado's
client, the library the server itself is built on), saves the outputs into
the notebook (so that it opens executed), ends the session and prints what
the cells printed.  Exits 0 when every cell ran, 1 with the error (the
traceback) when one failed or the server refused, 2 on bad usage.  Used by
`make demo` (scripts/demo-image.sh) and tests/images/run.sh.
"""
import asyncio
import datetime
import json
import os
import re
import sys
import urllib.error
import urllib.request
import uuid

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

CELL_LIMIT = 180   # seconds: a guard against a kernel that hangs, not a wait


def api(base, token, method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        data = r.read()
    return json.loads(data) if data else None


def message(session, code):
    return {"header": {"msg_id": uuid.uuid4().hex, "username": "nbkit", "session": session,
                       "msg_type": "execute_request", "version": "5.3",
                       "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}


async def run_cell(ws, session, cell):
    """Execute one cell; its outputs (nbformat's shape) go into the cell.
    Returns the error output, or None."""
    msg = message(session, cell["source"])
    await ws.write_message(json.dumps(msg))
    error, idle, replied = None, False, False
    while not (idle and replied):
        raw = await ws.read_message()
        if raw is None:
            raise ConnectionError("the kernel's websocket closed")
        m = json.loads(raw)
        if m.get("parent_header", {}).get("msg_id") != msg["header"]["msg_id"]:
            continue
        t, c = m["msg_type"], m["content"]
        if t == "stream":
            cell["outputs"].append({"output_type": "stream", "name": c["name"], "text": c["text"]})
        elif t in ("execute_result", "display_data"):
            out = {"output_type": t, "data": c["data"], "metadata": c.get("metadata", {})}
            if t == "execute_result":
                out["execution_count"] = c["execution_count"]
            cell["outputs"].append(out)
        elif t == "error":
            error = {"output_type": "error", "ename": c["ename"], "evalue": c["evalue"],
                     "traceback": c["traceback"]}
            cell["outputs"].append(error)
        elif t == "execute_reply":
            replied = True
            cell["execution_count"] = c.get("execution_count")
        elif t == "status" and c["execution_state"] == "idle":
            idle = True
    return error


async def run(base, token, kernel_id, cells):
    ws_url = "ws" + base[len("http"):] + f"/api/kernels/{kernel_id}/channels"
    ws = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {token}"},
                                             request_timeout=60))
    session = uuid.uuid4().hex
    try:
        for cell in cells:
            error = await asyncio.wait_for(run_cell(ws, session, cell), CELL_LIMIT)
            if error:
                return error
    finally:
        ws.close()
    return None


def main():
    if len(sys.argv) < 5 or not os.environ.get("JUPYTER_TOKEN"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    base, kernel, path, codes = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4:]
    token = os.environ["JUPYTER_TOKEN"]
    cells = [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [], "execution_count": None}
             for c in codes]
    nb = {"cells": cells, "nbformat": 4, "nbformat_minor": 4,
          "metadata": {"kernelspec": {"name": kernel, "display_name": kernel, "language": "python"}}}
    try:
        api(base, token, "PUT", f"/api/contents/{path}", {"type": "notebook", "format": "json", "content": nb})
        s = api(base, token, "POST", "/api/sessions",
                {"path": path, "name": path, "type": "notebook", "kernel": {"name": kernel}})
        try:
            error = asyncio.run(run(base, token, s["kernel"]["id"], cells))
        finally:
            api(base, token, "DELETE", f"/api/sessions/{s['id']}")
        api(base, token, "PUT", f"/api/contents/{path}", {"type": "notebook", "format": "json", "content": nb})
    except urllib.error.HTTPError as e:
        print(f"notebook-run: {e.method if hasattr(e, 'method') else ''} {e.url}: {e}: "
              f"{e.read().decode(errors='replace')[:500]}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError, asyncio.TimeoutError, ConnectionError) as e:
        print(f"notebook-run: {base}: {e!r}", file=sys.stderr)
        return 1
    for cell in cells:
        for o in cell["outputs"]:
            if o["output_type"] == "stream":
                sys.stdout.write(o["text"])
            elif o["output_type"] == "execute_result":
                print(o["data"].get("text/plain", ""))
    if error:
        print(re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error["traceback"])), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
