# SPDX-License-Identifier: Apache-2.0
# A spec that does not parse: exit 2, the message and a caret under the column.
mkdir -p chan/noarch && echo '{}' > chan/noarch/repodata.json
HOME=$PWD exec envtool search 'numpy>=1.2=' -c "$PWD/chan" --override-channels
