# Example before-start hook: read the corporate proxy from a mounted file
# (a ConfigMap), so that pip, conda and envtool reach the internal mirrors.
if [ -r /etc/nbkit/proxy ] && [ -z "${HTTPS_PROXY:-}" ]; then
	HTTPS_PROXY=$(cat /etc/nbkit/proxy)
	export HTTPS_PROXY HTTP_PROXY="$HTTPS_PROXY"
	export NO_PROXY="${NO_PROXY:-localhost,127.0.0.1,.svc,.cluster.local}"
fi
