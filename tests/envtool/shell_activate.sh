# SPDX-License-Identifier: Apache-2.0
# Shell activation (issue 12): `eval "$(envtool shell hook -s SH)"` then
# `envtool activate NAME|PREFIX` / `envtool deactivate`, in bash, POSIX sh
# (dash) and zsh when Debian's zsh is installed.  Checked in each: PATH
# (which python is the environment's), the CONDA_* variables, the prompt,
# an activate.d script's variable (as openjdk's JAVA_HOME), conda-meta/
# state's env_vars (a value they replace comes back), switching (the
# environment left runs its deactivate.d), --stack, and that deactivating
# everything gives back the whole environment byte for byte (env -0,
# sorted, compared with cmp).  Then: `shell init` once into ~/.bashrc and a
# real interactive bash under script(1) that gets the hook from it; the
# conda name (a link called conda: `conda activate`, an unknown command's
# one line, exit 2); and what is refused.
. "$NBK_SRC/tests/envtool/lib/server.bash"
E=$HOME/.conda/envs
mkenv() { # mkenv NAME: an environment with bin/python saying who it is
	mkdir -p "$E/$1/conda-meta" "$E/$1/bin"
	printf '#!/bin/sh\necho "python of %s"\n' "$1" > "$E/$1/bin/python"
	chmod +x "$E/$1/bin/python"
}
mkenv m
mkenv n
mkdir -p "$E/m/etc/conda/activate.d" "$E/m/etc/conda/deactivate.d"
cat > "$E/m/etc/conda/activate.d/java.sh" <<'EOF'
export JAVA_HOME_CONDA_BACKUP=${JAVA_HOME:-}
export JAVA_HOME="$CONDA_PREFIX/lib/jvm"
EOF
cat > "$E/m/etc/conda/deactivate.d/java.sh" <<'EOF'
export JAVA_HOME=$JAVA_HOME_CONDA_BACKUP
unset JAVA_HOME_CONDA_BACKUP
if [ -z "$JAVA_HOME" ]; then unset JAVA_HOME; fi
EOF
# env_vars as `conda env config vars set` writes them: a quote, a space, and LANG replaced
printf '{"env_vars": {"TEAM_VAR": "it'"'"'s m", "LANG": "C"}}\n' > "$E/m/conda-meta/state"
unset CONDA_PREFIX CONDA_SHLVL CONDA_DEFAULT_ENV CONDA_PROMPT_MODIFIER JAVA_HOME
export LANG=C.UTF-8

# session SH: the same steps in shell SH, one "name: value" line each
session() {
	"$@" <<'EOS'
eval "$(envtool shell hook -s "$SH")" || echo "hook failed"
env -0 | sort -z > "before.$SH"
PS1='$ '
envtool activate m; echo "activate: $?"
echo "python: $(python)"
echo "vars: $CONDA_SHLVL $CONDA_DEFAULT_ENV ${CONDA_PREFIX#$HOME/} [$PS1]"
echo "activate.d: ${JAVA_HOME#$HOME/}"
echo "state: $TEAM_VAR / LANG=$LANG"
envtool activate n; echo "switch: $CONDA_SHLVL $CONDA_DEFAULT_ENV [$PS1] JAVA_HOME=${JAVA_HOME-unset} python: $(python)"
envtool deactivate; echo "back: $CONDA_SHLVL $CONDA_DEFAULT_ENV [$PS1] ${JAVA_HOME#$HOME/} python: $(python)"
envtool activate --stack "$HOME/.conda/envs/n"; echo "stacked: $CONDA_SHLVL $(echo "$PATH" | cut -d: -f1-2 | sed "s|$HOME/||g")"
envtool deactivate; envtool deactivate; echo "all off: shlvl=${CONDA_SHLVL-unset} [$PS1] LANG=$LANG"
env -0 | sort -z > "after.$SH"
envtool activate nosuch 2>err.txt; echo "no such: $? $(head -c 60 err.txt)"
envtool deactivate; echo "nothing active: $?"
EOS
	cmp -s "before.$SH" "after.$SH" && echo "environment restored byte for byte" || echo "environment differs"
}
for sh in bash sh zsh; do
	if ! command -v "$sh" >/dev/null 2>&1; then
		echo "== $sh: not installed"
		continue
	fi
	echo "== $sh"
	case $sh in
	bash) SH=bash session bash --norc --noprofile ;;
	zsh) SH=zsh session zsh -f ;;
	*) SH=sh session sh ;;
	esac
done 2>&1 | sed "s|$HOME/||g"

# shell init: the block once, then a real interactive bash (a tty, ~/.bashrc read) has the hook
envtool shell init -s bash > init1.out
envtool shell init -s bash > init2.out
sed "s|$HOME/||g" init1.out init2.out
echo "blocks in .bashrc: $(grep -c '^# >>> envtool shell init >>>' "$HOME/.bashrc")"
cat > interactive.sh <<'EOS'
envtool activate m && echo "interactive: $(python) tty=$([ -t 0 ] && echo yes)"
EOS
script -qec "bash -i interactive.sh" /dev/null < /dev/null > script.out 2>&1
grep -a "^interactive:" script.out | tr -d '\r' | sed "s|$HOME/||g"

# the names users type: a link called conda
mkdir -p names && ln -sf "$NBK_BUILD/bin/envtool" names/conda
PATH=$PWD/names:$PATH bash --norc --noprofile <<'EOS'
eval "$(conda shell hook -s bash)"
conda activate m && echo "conda activate: $CONDA_DEFAULT_ENV, $(python)"
conda deactivate; echo "conda deactivate: ${CONDA_PREFIX-unset}"
conda env list | grep -c "envs/m$" | sed 's/^/conda env list, m: /'
conda frobnicate 2>err.txt; echo "conda frobnicate: $? $(wc -l < err.txt) line: $(cat err.txt)"
conda info --envs | grep -c "envs/n$" | sed 's/^/conda info --envs, n: /'
conda config --show channel_alias envs_dirs | sed "s|$HOME/||"
conda config --set channels x 2>/dev/null; echo "conda config --set: $?"
mkdir -p "$HOME/.conda/envs/gone/conda-meta"
conda env remove -n gone -y -q; echo "conda env remove: $? $([ -e "$HOME/.conda/envs/gone" ] && echo still there || echo gone)"
conda uninstall -n m nothing-like-this -y 2>/dev/null; echo "conda uninstall of a package not there: $?"
conda activate m --stak 2>/dev/null; echo "a bad option: $?"
EOS
# without the hook, and a shell envtool does not know
envtool activate m 2>err.txt; echo "activate without the hook: $? $(head -n 1 err.txt)"
envtool shell hook -s fish 2>err.txt; echo "fish: $? $(cat err.txt)"
envtool shell hook -s bash 'bad name' 2>err.txt; echo "bad function name: $? $(cat err.txt)"
exit $failed
