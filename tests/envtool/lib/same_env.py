#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Are two conda environments the same, file for file?

usage: same_env.py PREFIX_A PREFIX_B [MIN_FILES]

The same conda-meta records (names, sha256, file lists), and every file
they list the same in both: a link with the same target, a file with the
same bytes once each prefix's own path is written as PREFIX (the files
with a prefix placeholder hold their prefix).  Prints "N files compared"
and the first differences on stderr; exits 1 when they differ, or when
fewer than MIN_FILES (default 1) files were compared.  Standard library
only: it also runs inside the images (python3 - A B < same_env.py).
"""
import glob
import json
import os
import sys


def meta(prefix):
    return {os.path.basename(f): json.load(open(f)) for f in glob.glob(prefix + "/conda-meta/*.json")}


def main():
    a, b = sys.argv[1:3]
    least = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    diffs, n = [], 0
    ma, mb = meta(a), meta(b)
    if sorted(ma) != sorted(mb):
        diffs.append(f"conda-meta differs: {sorted(set(ma) ^ set(mb))}")
    for k in sorted(set(ma) & set(mb)):
        if ma[k]["files"] != mb[k]["files"] or ma[k].get("sha256") != mb[k].get("sha256"):
            diffs.append(f"{k}: its files or sha256 differ")
        for f in ma[k]["files"]:
            n += 1
            pa, pb = os.path.join(a, f), os.path.join(b, f)
            if os.path.islink(pa) or os.path.islink(pb):
                same = os.path.islink(pa) and os.path.islink(pb) and os.readlink(pa) == os.readlink(pb)
            elif not os.path.isfile(pa) or not os.path.isfile(pb):
                same = False
            else:
                with open(pa, "rb") as fa, open(pb, "rb") as fb:
                    same = fa.read().replace(a.encode(), b"PREFIX") == fb.read().replace(b.encode(), b"PREFIX")
            if not same:
                diffs.append(f"{f} differs")
    print(f"{n} files compared", file=sys.stderr)
    print("\n".join(diffs[:10]), file=sys.stderr)
    sys.exit(1 if diffs or n < least else 0)


main()
