# Example before-start hook (sourced by bootstrap, like docker-stacks'
# before-notebook.d): give git an identity from the JupyterHub user name so
# that the first commit in a notebook does not fail.  What a sourced hook
# exports reaches the notebook server.
if [ -n "${JUPYTERHUB_USER:-}" ] && [ -z "${GIT_AUTHOR_NAME:-}" ]; then
	export GIT_AUTHOR_NAME="$JUPYTERHUB_USER"
	export GIT_COMMITTER_NAME="$JUPYTERHUB_USER"
fi
