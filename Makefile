# SPDX-License-Identifier: Apache-2.0
#
# nbkit: one non-recursive Makefile.
#
#   make                      build/bin/bootstrap (and build/bin/envtool)
#   make test                 install the Debian packages the tests need, build, run every suite
#   make check                the same tests, without the package step
#   make SANITIZE=address,undefined test
#   make valgrind             unit and command-line tests under valgrind
#   make bench                benchmarks, figures in bench/out/
#   make install PREFIX=/usr/local [DESTDIR=...]
#   make format               clang-format every C file
#   make format-check         fail naming each C file that clang-format would change
#                             (the suite runs it: tests/envtool/format_check.sh)
#   make channel              a real conda channel from Debian 12's binaries in $(BUILD)/channel
#                             (scripts/mkchannel: python 3.11, numpy, pandas, scipy, ipykernel, pip ...)
#   make demo                 the main job: the notebook image on 127.0.0.1:8888 (README.md)
#   make demo-bootstrap       bootstrap alone on a sample configuration
#   make fuzz                 libFuzzer targets for a bounded time (FUZZ_SECONDS)
#
# Sources are found by wildcard: a new lib/*.c, bootstrap/*.c, libconda/*.c,
# envtool/*.c, tests/unit/test_*.c or tests/fuzz/fuzz_*.c needs no Makefile
# change.  docs/architecture.md: lib/ (libnbkit.a) is shared by everything;
# libconda/ (libconda.a) is the conda engine, built on lib/ alone; envtool/
# is the tool on top of it.  libconda's objects are compiled without
# -Ienvtool, so an engine file cannot include a tool header.

CC ?= cc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DESTDIR ?=
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.0.0)

# CI (CI=true) builds with warnings as errors, as git's DEVELOPER=1 does.
ifeq ($(CI),true)
WERROR ?= 1
endif

ifneq ($(SANITIZE),)
BUILD ?= build/sanitize
OPT ?= -O1 -g -fno-omit-frame-pointer
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
else
BUILD ?= build
OPT ?= -O2 -g
SAN_FLAGS :=
endif

WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wwrite-strings -fno-common -Wno-format-nonliteral
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
HARDEN_LD := -Wl,-z,relro,-z,now

CPPFLAGS += -Iinclude -I$(BUILD)/gen -D_GNU_SOURCE
# Test builds make NBK_STATIC functions visible without a prototype.
TEST_CFLAGS := -DNBK_TESTING -Wno-missing-prototypes
BASE_CFLAGS := -std=gnu11 $(OPT) $(WARNINGS) $(HARDEN) $(SAN_FLAGS) -MMD -MP
LDFLAGS += $(HARDEN_LD) $(SAN_FLAGS)

YAML_CFLAGS := $(shell $(PKG_CONFIG) --cflags yaml-0.1 2>/dev/null)
YAML_LIBS := $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml)
ENVTOOL_PKGS := libsolv libsolvext libcurl libarchive libzstd yaml-0.1
ENVTOOL_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(ENVTOOL_PKGS) 2>/dev/null)
ENVTOOL_LIBS := $(shell $(PKG_CONFIG) --libs $(ENVTOOL_PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

LIB_SRCS := $(sort $(wildcard lib/*.c))
BOOTSTRAP_SRCS := $(sort $(wildcard bootstrap/*.c))
LIBCONDA_SRCS := $(sort $(wildcard libconda/*.c))
ENVTOOL_SRCS := $(sort $(wildcard envtool/*.c))

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIBNBKIT := $(BUILD)/lib/libnbkit.a
BOOTSTRAP_OBJS := $(BOOTSTRAP_SRCS:%.c=$(BUILD)/obj/%.o)
LIBCONDA_OBJS := $(LIBCONDA_SRCS:%.c=$(BUILD)/obj/%.o)
LIBCONDA := $(BUILD)/lib/libconda.a
# The engine's test build (NBK_STATIC functions visible): what unit tests,
# fuzzers' replays and benchmarks link.
LIBCONDA_TEST := $(BUILD)/lib/libconda-test.a
ENVTOOL_OBJS := $(ENVTOOL_SRCS:%.c=$(BUILD)/obj/%.o)
# Test builds of the programs: NBK_STATIC functions become visible, no main().
BOOTSTRAP_TOBJS := $(filter-out %/main.o,$(BOOTSTRAP_SRCS:%.c=$(BUILD)/tobj/%.o))
LIBCONDA_TOBJS := $(LIBCONDA_SRCS:%.c=$(BUILD)/tobj/%.o)

PROGRAMS := $(BUILD)/bin/bootstrap
ifneq ($(wildcard envtool/main.c),)
PROGRAMS += $(BUILD)/bin/envtool
endif

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))
HELPER_SO_SRCS := $(filter tests/helpers/lib%,$(HELPER_SRCS))
HELPER_PROG_SRCS := $(filter-out tests/helpers/lib%,$(HELPER_SRCS))
HELPER_BINS := $(HELPER_PROG_SRCS:tests/helpers/%.c=$(BUILD)/tests/helpers/%) \
	$(HELPER_SO_SRCS:tests/helpers/%.c=$(BUILD)/tests/helpers/%.so)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/tests/replay_%)

.PHONY: all test check valgrind bench install format format-check demo fuzz clean deps tests-build channel FORCE
# Keep the test builds' objects (intermediates of the test rules) between runs.
.SECONDARY:
all: $(PROGRAMS)

# The version string (git describe) lives in a generated header rewritten
# only when it changes, so a commit does not rebuild everything.  Its name is
# nbk_version.h: no two headers of the build share a base name (libconda has
# a version.h of its own, and the wrong one found first made the User-Agent
# "envtool/0"); tests/envtool/headers_unique.sh checks it.
$(BUILD)/gen/nbk_version.h: FORCE
	@mkdir -p $(@D)
	@echo '#define NBK_VERSION "$(VERSION)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

# Its users: --version (both programs) and the User-Agent (transfer.c).
$(BUILD)/obj/bootstrap/main.o $(BUILD)/obj/envtool/main.o $(BUILD)/obj/libconda/transfer.o \
	$(BUILD)/tobj/libconda/transfer.o: $(BUILD)/gen/nbk_version.h

# Objects depend on the flags they were built with (git's GIT-CFLAGS): a
# build with WERROR=1 or other CFLAGS recompiles instead of reusing objects.
BUILD_FLAGS := $(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS)
$(BUILD)/gen/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(subst ','\'',$(BUILD_FLAGS))' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/obj/lib/%.o: lib/%.c $(BUILD)/gen/flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(YAML_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/bootstrap/%.o: bootstrap/%.c $(BUILD)/gen/flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/tobj/bootstrap/%.o: bootstrap/%.c $(BUILD)/gen/flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(TEST_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/libconda/%.o: libconda/%.c $(BUILD)/gen/flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(ENVTOOL_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/tobj/libconda/%.o: libconda/%.c $(BUILD)/gen/flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(TEST_CFLAGS) $(ENVTOOL_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/envtool/%.o: envtool/%.c $(BUILD)/gen/flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Ilibconda $(BASE_CFLAGS) $(ENVTOOL_CFLAGS) $(CFLAGS) -c $< -o $@

$(LIBNBKIT): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(LIBCONDA): $(LIBCONDA_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(LIBCONDA_TEST): $(LIBCONDA_TOBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/bootstrap: $(BOOTSTRAP_OBJS) $(LIBNBKIT)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(BOOTSTRAP_OBJS) $(LIBNBKIT) $(YAML_LIBS) -ldl

$(BUILD)/bin/envtool: $(ENVTOOL_OBJS) $(LIBCONDA) $(LIBNBKIT)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(ENVTOOL_OBJS) $(LIBCONDA) $(LIBNBKIT) $(ENVTOOL_LIBS) -ldl -lpthread

# Unit tests: test_lib_* link the library, test_bootstrap_* also the
# bootstrap test objects, test_envtool_* the envtool ones.
$(BUILD)/tests/test_lib_%: tests/unit/test_lib_%.c $(LIBNBKIT)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(TEST_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(LIBNBKIT) $(YAML_LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/test_bootstrap_%: tests/unit/test_bootstrap_%.c $(BOOTSTRAP_TOBJS) $(LIBNBKIT)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Ibootstrap $(BASE_CFLAGS) $(TEST_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(BOOTSTRAP_TOBJS) $(LIBNBKIT) $(YAML_LIBS) $(CMOCKA_LIBS) -ldl

$(BUILD)/tests/test_envtool_%: tests/unit/test_envtool_%.c $(LIBCONDA_TEST) $(LIBNBKIT)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Ilibconda $(BASE_CFLAGS) $(TEST_CFLAGS) $(ENVTOOL_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(LIBCONDA_TEST) $(LIBNBKIT) $(ENVTOOL_LIBS) $(CMOCKA_LIBS) -ldl -lpthread

# Helper programs and shared libraries used by the command-line tests
# (tests/helpers/NAME.c -> a program; tests/helpers/libNAME.c -> NAME.so).
$(BUILD)/tests/helpers/%.so: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=gnu11 -O2 -fPIC -shared -Wall -Wextra -o $@ $<

$(BUILD)/tests/helpers/%: tests/helpers/%.c $(LIBNBKIT)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBNBKIT) $(YAML_LIBS)

# Fuzz corpus replay: every file of tests/fuzz/corpus/NAME goes through the
# target with a plain main(), so the corpus stays a regression test.
$(BUILD)/tests/replay_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIBCONDA_TEST) $(LIBNBKIT)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(TEST_CFLAGS) $(ENVTOOL_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		$< tests/fuzz/replay.c $(LIBCONDA_TEST) $(LIBNBKIT) $(ENVTOOL_LIBS) -ldl -lpthread

tests-build: $(PROGRAMS) $(UNIT_BINS) $(HELPER_BINS) $(FUZZ_REPLAY_BINS)

deps:
	scripts/install-deps.sh

test: deps
	$(MAKE) check

check: tests-build
	BUILD=$(BUILD) tests/run-all.sh

valgrind: tests-build
	BUILD=$(BUILD) VALGRIND=1 tests/run-all.sh unit cli

bench: $(PROGRAMS) $(HELPER_BINS) $(LIBCONDA)
	BUILD=$(BUILD) bench/run-all.sh

fuzz:
	BUILD=$(BUILD) tests/fuzz/run.sh

# make channel: the real offline channel (issue 15; scripts/mkchannel), made
# from Debian packages that apt-get downloads into $(CHANNEL).debs; rebuilt
# only when those packages or the script change (CHANNEL/.key)
CHANNEL ?= $(BUILD)/channel
channel: deps
	scripts/mkchannel $(CHANNEL)

# make demo: the notebook image on 127.0.0.1:8888 (scripts/demo-image.sh);
# make demo-bootstrap: bootstrap alone on a sample configuration (scripts/demo.sh)
demo: deps
	DEMO_CHANNEL=$(CHANNEL) scripts/demo-image.sh

demo-bootstrap: deps all
	BUILD=$(BUILD) scripts/demo.sh

install: $(PROGRAMS)
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/

# ---- Images (issue 5; docs/images.md) --------------------------------------
# make base-image   a local Debian 12 base (scripts/mkrootfs.sh: debootstrap
#                   from this machine's apt source, docker import) for machines
#                   that cannot pull from a registry
DOCKER ?= docker
BASE_LOCAL ?= nbkit/base:bookworm

# make image TAG=dev  nbkit/notebook:TAG and :VERSION (git describe), OCI
#                   labels; REGISTRY=host/path prefixes and pushes both;
#                   JUPYTER_SOURCE=debian|conda|none, CONDA_CHANNEL=,
#                   WITH_JAVA=1, WITH_TOOLS=0, BASE_IMAGE=debian:bookworm-slim
# make promote      stable -> stable-old, dev -> stable
# make hotfix       this checkout (on the stable line) built and tagged hotfix
# make image-report size per layer and in total, options, the image's manifest
IMAGE_REPO ?= nbkit/notebook
TAG ?= dev
REGISTRY ?=
BASE_IMAGE ?= $(BASE_LOCAL)
JUPYTER_SOURCE ?= debian
WITH_JAVA ?= 0
WITH_TOOLS ?= 1
CONDA_CHANNEL ?=
IMAGE_ENV = DOCKER='$(DOCKER)' IMAGE_REPO='$(IMAGE_REPO)' TAG='$(TAG)' REGISTRY='$(REGISTRY)' \
	BASE_LOCAL='$(BASE_LOCAL)' BASE_IMAGE='$(BASE_IMAGE)' JUPYTER_SOURCE='$(JUPYTER_SOURCE)' \
	WITH_JAVA='$(WITH_JAVA)' WITH_TOOLS='$(WITH_TOOLS)' CONDA_CHANNEL='$(CONDA_CHANNEL)' VERSION='$(VERSION)'

.PHONY: base-image docker-up image promote hotfix image-report demo-bootstrap

docker-up:
	@scripts/docker-up.sh >/dev/null

base-image: docker-up
	scripts/mkrootfs.sh $(BASE_LOCAL)

image: docker-up
	$(IMAGE_ENV) scripts/build-image.sh

promote: docker-up
	$(IMAGE_ENV) scripts/tag-promote.sh

hotfix: docker-up
	$(IMAGE_ENV) scripts/tag-hotfix.sh

image-report: docker-up
	$(IMAGE_ENV) scripts/image-report.sh


# Every tracked C file as .clang-format says (issue 10).  The check runs
# clang-format once over all of them (--dry-run --Werror: nothing written),
# shows the first differences and names every file that differs; `make
# test` runs it as tests/envtool/format_check.sh.
CLANG_FORMAT ?= clang-format
FORMAT_FILES = $$(git ls-files '*.c' '*.h')

format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check:
	@command -v $(CLANG_FORMAT) >/dev/null 2>&1 || \
		{ echo "format-check: no $(CLANG_FORMAT) (make deps installs it)" >&2; exit 1; }
	@out=$$($(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES) 2>&1) && exit 0; \
	printf '%s\n' "$$out" | head -n 30 >&2; \
	files=$$(printf '%s\n' "$$out" | sed -n 's/^\([^: ]*\):[0-9]*:[0-9]*: error: .*/\1/p' | uniq); \
	[ -n "$$files" ] || exit 1; \
	echo "format-check: $$(printf '%s\n' "$$files" | wc -l) file(s) differ from $(CLANG_FORMAT)'s output (make format):" >&2; \
	printf '  %s\n' $$files >&2; \
	exit 1

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' -type f -not -path '*/scratch/*' 2>/dev/null)
