#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A pip "simple" index (PEP 503) of one pure-Python wheel, for the tests.

usage: make_pip_index.py ROOT [NAME [VERSION]]

Writes ROOT/simple/index.html, ROOT/simple/NAME/index.html and the wheel
ROOT/packages/NAME-VERSION-py3-none-any.whl (a module NAME whose VERSION
is its __version__), with its RECORD and the sha256 fragment pip checks.
Served by repo_server.py, the index URL is BASE/simple.  Prints the
wheel's file name.
"""
import base64
import hashlib
import os
import sys
import zipfile

root = sys.argv[1]
name = sys.argv[2] if len(sys.argv) > 2 else "nbkitprobe"
version = sys.argv[3] if len(sys.argv) > 3 else "1.0"
wheel = f"{name}-{version}-py3-none-any.whl"
info = f"{name}-{version}.dist-info"
files = {
    f"{name}/__init__.py": f'__version__ = "{version}"\n',
    f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
    f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: nbkit-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}


def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


record = "".join(f"{p},{digest(d.encode())},{len(d.encode())}\n" for p, d in files.items())
files[f"{info}/RECORD"] = record + f"{info}/RECORD,,\n"
os.makedirs(f"{root}/packages", exist_ok=True)
os.makedirs(f"{root}/simple/{name}", exist_ok=True)
with zipfile.ZipFile(f"{root}/packages/{wheel}", "w", zipfile.ZIP_DEFLATED) as z:
    for p, d in files.items():
        z.writestr(zipfile.ZipInfo(p, (2020, 1, 1, 0, 0, 0)), d)
sha = hashlib.sha256(open(f"{root}/packages/{wheel}", "rb").read()).hexdigest()
with open(f"{root}/simple/index.html", "w") as f:
    f.write(f'<!DOCTYPE html>\n<html><body><a href="{name}/">{name}</a></body></html>\n')
with open(f"{root}/simple/{name}/index.html", "w") as f:
    f.write(f'<!DOCTYPE html>\n<html><body><a href="../../packages/{wheel}#sha256={sha}">{wheel}</a></body></html>\n')
print(wheel)
