# SPDX-License-Identifier: Apache-2.0
#
# The nbkit notebook image (docs/images.md).  Use `make image`, or:
#
#   docker build --network host --build-arg BASE_IMAGE=nbkit/base:bookworm \
#       --build-arg JUPYTER_SOURCE=debian -t nbkit/notebook:dev .
#
# Build arguments:
#   BASE_IMAGE      debian:bookworm-slim, or the local base (make base-image)
#   JUPYTER_SOURCE  conda (production: envtool creates /opt/conda from
#                   CONDA_CHANNEL), debian (Debian 12's notebook and
#                   jupyterhub packages: offline builds, the tests), none (the
#                   runtime alone)
#   CONDA_CHANNEL   channel of the conda path (an internal conda-forge mirror)
#   CONDA_SPECS     what the conda path installs in /opt/conda
#   WITH_TOOLS      1 (default): git, curl, ssh, unzip, less, nano, procps
#   WITH_JAVA       1: a headless Java runtime (Spark), JAVA_HOME by bootstrap
#   NBK_VERSION     the version bootstrap and envtool report (make image passes git describe)
#
# ENTRYPOINT is bootstrap; there is no CMD: bootstrap runs command.hub
# (jupyterhub-singleuser) under JupyterHub and command.default otherwise.

ARG BASE_IMAGE=debian:bookworm-slim

# ---- build: the C tools --------------------------------------------------------
FROM ${BASE_IMAGE} AS build
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      gcc libc6-dev make pkg-config \
      libyaml-dev libsolv-dev libsolvext-dev libcurl4-openssl-dev libarchive-dev libzstd-dev \
      libacl1-dev liblz4-dev nettle-dev liblzma-dev libbz2-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY include include
COPY lib lib
COPY bootstrap bootstrap
COPY libconda libconda
COPY envtool envtool
# envtool links libarchive statically: it reads only tar, zip and the
# gzip/bzip2/zstd filters, and the shared libarchive13 would bring libxml2
# and ICU (about 40 MB) into the runtime for the xar format alone.  What the
# static part needs (nettle, acl, lzma, lz4, bz2, zlib) is in every Debian
# base already.  libsolvext is not needed at run time (--as-needed).
ARG NBK_VERSION=0.0.0
RUN libs="-lsolv -lcurl -Wl,-Bstatic -larchive -Wl,-Bdynamic -lnettle -lacl -llzma -llz4 -lbz2 -lz -lzstd -lyaml" \
 && make -j"$(nproc)" all VERSION="$NBK_VERSION" ENVTOOL_LIBS="$libs" \
 && make install VERSION="$NBK_VERSION" ENVTOOL_LIBS="$libs" PREFIX=/usr/local DESTDIR=/out \
 && strip /out/usr/local/bin/* \
 && ! readelf -d /out/usr/local/bin/envtool | grep -E 'libarchive|libxml2'

# ---- runtime ---------------------------------------------------------------------
FROM ${BASE_IMAGE} AS runtime
SHELL ["/bin/sh", "-eu", "-c"]
ENV LANG=C.UTF-8 \
    SHELL=/bin/bash \
    PATH=/opt/conda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# The runtime libraries of bootstrap and envtool.
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libyaml-0-2 libsolv1 libcurl4 libzstd1 ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /var/log/apt /var/log/dpkg.log
# The everyday tools of a data scientist's terminal (WITH_TOOLS=0: the
# runtime alone).
ARG WITH_TOOLS=1
RUN if [ "$WITH_TOOLS" = 1 ]; then \
      apt-get update -q \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
           git curl openssh-client unzip less nano procps \
      && rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /var/log/apt /var/log/dpkg.log; \
    fi
# The notebook user (docker-stacks' names); bootstrap adds passwd entries for
# another NB_UID and gives a fresh home volume to the user.
RUN useradd --no-log-init -m -d /home/jovyan -u 1000 -g 100 -s /bin/bash jovyan \
 && mkdir -p /etc/bootstrap/conf.d /etc/bootstrap/before-start.d \
      /usr/local/bin/start-notebook.d /usr/local/bin/before-notebook.d /usr/share/nbkit/conf.d
COPY --from=build /out/usr/local/bin/ /usr/local/bin/
# What users type: conda, mamba and micromamba are envtool by those names,
# and every interactive bash has the activation hook (envtool-hook.sh).
COPY images/notebook/envtool-hook.sh /usr/share/nbkit/envtool-hook.sh
RUN for n in conda mamba micromamba; do ln -s envtool "/usr/local/bin/$n"; done \
 && printf '\n# nbkit: conda activate and friends (envtool shell hook)\n. /usr/share/nbkit/envtool-hook.sh\n' >> /etc/bash.bashrc
COPY images/notebook/bootstrap.yaml /etc/bootstrap/bootstrap.yaml
# The image's own drop-ins: every variant's in conf.d-available, those this
# build uses copied into /usr/share/nbkit/conf.d (bootstrap's lowest layer);
# /etc/bootstrap/conf.d stays empty for the deployment's ConfigMap.
COPY images/notebook/conf.d/ /usr/share/nbkit/conf.d-available/
COPY images/notebook/hooks/ /usr/share/nbkit/hooks/

ARG WITH_JAVA=0
RUN if [ "$WITH_JAVA" = 1 ]; then \
      mkdir -p /usr/share/man/man1 \
      && apt-get update -q \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends default-jre-headless \
      && rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log \
      && cp /usr/share/nbkit/conf.d-available/20-java.yaml /usr/share/nbkit/conf.d/; \
    fi

ARG JUPYTER_SOURCE=conda
ARG CONDA_CHANNEL=https://conda.anaconda.org/conda-forge
ARG CONDA_SPECS="python=3.11 jupyterlab jupyterhub-singleuser ipykernel"
RUN case "$JUPYTER_SOURCE" in \
    debian) \
      # Two dependencies the single-user server never uses get placeholder \
      # packages (docs/images.md): jupyterhub's hub proxy \
      # (node-configurable-http-proxy: nodejs, about 90 MB) and gdb (python3-pydevd's \
      # attach-to-process helper, about 30 MB with libpython and boost; the \
      # Jupyter debugger runs in-process).  `apt-get install gdb` in a derived \
      # image replaces the placeholder with the real package. \
      for p in node-configurable-http-proxy gdb; do \
        mkdir -p /tmp/ph/DEBIAN \
        && printf '%s\n' "Package: $p" 'Version: 0~nbkit' 'Architecture: all' 'Maintainer: nbkit' \
             'Description: nbkit placeholder: not used by the single-user notebook server' > /tmp/ph/DEBIAN/control \
        && dpkg-deb -b /tmp/ph /tmp/ph.deb >/dev/null && dpkg -i /tmp/ph.deb >/dev/null && rm -rf /tmp/ph /tmp/ph.deb; \
      done \
      # MathJax's unminified copy (unpacked/, 23 MB): the notebook loads the packed one. \
      && echo 'path-exclude /usr/share/javascript/mathjax/unpacked/*' > /etc/dpkg/dpkg.cfg.d/90nbkit-mathjax \
      && apt-get update -q \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
           jupyter-core jupyter-notebook python3-notebook python3-ipykernel jupyterhub \
      && rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log \
      && cp /usr/share/nbkit/conf.d-available/10-jupyter-debian.yaml /usr/share/nbkit/conf.d/ ;; \
    conda) \
      CONDA_PKGS_DIRS=/tmp/pkgs envtool create -y -q --no-kernel -p /opt/conda --override-channels -c "$CONDA_CHANNEL" $CONDA_SPECS \
      && rm -rf /tmp/pkgs /root/.conda /root/.cache /root/.local \
      && /opt/conda/bin/jupyter --version >/dev/null \
      && cp /usr/share/nbkit/conf.d-available/10-jupyter-conda.yaml /usr/share/nbkit/conf.d/ ;; \
    none) ;; \
    *) echo "JUPYTER_SOURCE must be conda, debian or none, not '$JUPYTER_SOURCE'" >&2; exit 1 ;; \
    esac

# What is in the image, written last: /usr/share/nbkit/manifest.txt.
ARG NBK_VERSION=0.0.0
COPY images/notebook/manifest.sh /usr/share/nbkit/manifest.sh
RUN PYTHONDONTWRITEBYTECODE=1 NBK_VERSION="$NBK_VERSION" JUPYTER_SOURCE="$JUPYTER_SOURCE" WITH_JAVA="$WITH_JAVA" WITH_TOOLS="$WITH_TOOLS" CONDA_CHANNEL="$CONDA_CHANNEL" \
      sh /usr/share/nbkit/manifest.sh > /usr/share/nbkit/manifest.txt \
 && bootstrap --check > /dev/null

WORKDIR /home/jovyan
EXPOSE 8888
ENTRYPOINT ["bootstrap", "--"]
