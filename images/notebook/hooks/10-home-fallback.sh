# nbkit notebook image, sourced by bootstrap as root before the privilege
# drop (hooks.dirs in /etc/bootstrap/bootstrap.yaml).
#
# "Home that is not writable" (docs/bootstrap.md): bootstrap warns and starts
# the server anyway; Jupyter would then die on its runtime folder
# (~/.local/share/jupyter/runtime).  When the notebook user cannot write the
# home, Jupyter's runtime files go to /tmp instead, so the user gets a
# working Jupyter that cannot save, and the log says why.
nbk_home=${NBK_HOME:-/home/jovyan}
nbk_uid=${NB_UID:-1000}
nbk_gid=${NB_GID:-100}
if [ -z "${JUPYTER_RUNTIME_DIR:-}" ] && [ -d "$nbk_home" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		# as the user will be: its uid and gid, plus the home's group (fsGroup)
		setpriv --reuid="$nbk_uid" --regid="$nbk_gid" --groups="$nbk_gid,$(stat -c %g "$nbk_home")" \
			test -w "$nbk_home" 2>/dev/null
	else
		test -w "$nbk_home"
	fi || {
		export JUPYTER_RUNTIME_DIR="/tmp/jupyter-runtime-$nbk_uid"
		echo "home-fallback: '$nbk_home' is not writable by uid $nbk_uid: Jupyter's runtime files go to $JUPYTER_RUNTIME_DIR (nothing can be saved in the home)" >&2
	}
fi
unset nbk_home nbk_uid nbk_gid
