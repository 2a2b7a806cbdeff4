# SPDX-License-Identifier: Apache-2.0
# nbkit: `conda activate NAME` (and envtool's, mamba's, micromamba's) in
# every interactive bash and zsh of the image: sourced by /etc/bash.bashrc,
# which Debian's bash reads in interactive shells, login ones through
# /etc/profile.  conda, mamba and micromamba are envtool under those names
# (/usr/local/bin links).  Nothing is activated here: the base environment
# is never activated by surprise.
if [ -n "${BASH_VERSION-}${ZSH_VERSION-}" ] && command -v envtool >/dev/null 2>&1; then
	eval "$(envtool shell hook -s "${ZSH_VERSION:+zsh}${BASH_VERSION:+bash}" conda mamba micromamba)"
fi
