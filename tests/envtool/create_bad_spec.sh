# SPDX-License-Identifier: Apache-2.0
# create with a spec that does not parse: exit 2, the message and a caret.
mkdir -p chan/noarch && echo '{}' > chan/noarch/repodata.json
HOME=$PWD exec envtool create -n x numpy 'python >=3.' -c "$PWD/chan" --override-channels --dry-run
