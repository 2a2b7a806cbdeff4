# SPDX-License-Identifier: Apache-2.0
# No two headers of the build share a base name (issue 10): with -Iinclude
# -I$BUILD/gen and each program's own folder, `#include "version.h"` found
# envtool/version.h where the generated version header was meant, and the
# User-Agent became "envtool/0".  Every header of the checkout (include/,
# lib/, bootstrap/, envtool/ and any folder added later; not .git or build
# trees) and of the generated $NBK_BUILD/gen.
set -u
gen=$NBK_BUILD/gen
failed=0
if [ -f "$gen/nbk_version.h" ]; then
	echo "ok: the generated version header is \$NBK_BUILD/gen/nbk_version.h"
else
	echo "FAIL: no generated '$gen/nbk_version.h'"
	failed=1
fi
{
	(cd "$NBK_SRC" && find . \( -name .git -o -path ./build \) -prune -o -name '*.h' -print)
	find "$gen" -name '*.h'
} > headers.txt
for f in include bootstrap envtool; do
	grep -q "^\./$f/" headers.txt || { echo "FAIL: no header found under $f/"; failed=1; }
done
sed 's|.*/||' headers.txt | sort | uniq -d > dups.txt
if [ -s dups.txt ]; then
	while read -r base; do
		echo "FAIL: '$base' is the name of$(grep "/$base\$" headers.txt | tr '\n' ' ' | sed 's/^/ /')"
	done < dups.txt
	exit 1
fi
echo "ok: $(wc -l < headers.txt) headers, no base name twice"
exit $failed
