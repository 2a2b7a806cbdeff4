# requires-root
# Thread variables inside a real cgroup with a CPU quota (cgroup v1 here;
# a cgroup v2 host with the cpu controller works the same way): the shell
# that starts bootstrap joins a fresh cgroup, bootstrap finds it through
# /proc/self/cgroup and /proc/self/mountinfo.  The quota of a parent limits
# a child cgroup that has none.  Every cgroup made here is removed on exit.
set -u
mkdir conf.d
cat > cfg.yaml <<YAML
user: {name: root, uid: 0, gid: 0, home: $PWD/home}   # an uid that exists everywhere: no passwd entry is added
hooks: {dirs: [], user_dirs: []}
gpu: {mode: "off"}
YAML
BS=$(command -v bootstrap)
# the affinity count, without nproc's own reading of OMP_NUM_THREADS
aff=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)

v1=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break;
	    if ($(i + 1) == "cgroup" && ("," $(i + 3) ",") ~ /,cpu,/) { print $5; exit } }' /proc/self/mountinfo)
v2=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break;
	    if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
if [ -n "$v1" ]; then
	kind=v1 top=$v1/nbk-test-$$
	setq() { echo "$2" > "$1/cpu.cfs_period_us" && echo "$3" > "$1/cpu.cfs_quota_us"; }
elif [ -n "$v2" ] && grep -qw cpu "$v2/cgroup.subtree_control" 2>/dev/null; then
	kind=v2 top=$v2/nbk-test-$$
	setq() { echo "$3 $2" > "$1/cpu.max"; }
else
	echo "no cgroup hierarchy with the cpu controller is mounted"
	exit 1
fi
# Every process that joined a cgroup here was reaped before (in_cgroup
# waits for bootstrap, which waits for its command): the cgroups are empty
# and rmdir works at once, with no retry; when it does not, the case fails.
cleanup() {
	for d in "$top/inner" "$top"; do
		[ ! -d "$d" ] || rmdir "$d" || exit 1
	done
}
trap cleanup EXIT
mkdir "$top" "$top/inner" || exit 1
[ $kind = v2 ] && echo +cpu > "$top/cgroup.subtree_control"

# Run bootstrap from a shell that has joined cgroup $1; print the variables.
in_cgroup() {
	env -i PATH=/usr/bin:/bin BOOTSTRAP_CONFIG_DIR=$PWD/conf.d "${@:2}" \
		sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$1" \
		"$BS" -c cfg.yaml -- sh -c 'echo $OMP_NUM_THREADS $MKL_NUM_THREADS $OPENBLAS_NUM_THREADS $BLIS_NUM_THREADS $NUMEXPR_NUM_THREADS $NUMBA_NUM_THREADS $VECLIB_MAXIMUM_THREADS $LOKY_MAX_CPU_COUNT' 2> err
}
expect() { # label, wanted count, how it is written in the expected output
	got=$(cat out)
	want="$2 $2 $2 $2 $2 $2 $2 $2"
	if [ "$got" = "$want" ]; then echo "$1: ${3:-$2} as expected"; else echo "$1: got '$got', want '$want'"; cat err; fi
}
min() { [ "$1" -lt "$2" ] && echo "$1" || echo "$2"; }

setq "$top" 100000 150000
in_cgroup "$top" > out; expect "quota 150000/100000" "$(min 2 "$aff")" "min(2, affinity)"
grep -o 'cgroup quota: [0-9]*' err

setq "$top" 100000 50000
in_cgroup "$top" > out; expect "quota 50000/100000" 1
grep -o 'cgroup quota: [0-9]*' err

# a child cgroup without a quota of its own: the parent's applies
in_cgroup "$top/inner" > out; expect "child of a 0.5 CPU parent" 1

# CPU_LIMIT above the quota: the quota wins; below it: CPU_LIMIT wins
setq "$top" 100000 200000
in_cgroup "$top" CPU_LIMIT=8 > out; expect "quota 2, CPU_LIMIT=8" "$(min 2 "$aff")" "min(2, affinity)"
in_cgroup "$top" CPU_LIMIT=0.5 > out; expect "quota 2, CPU_LIMIT=0.5" 1

# no quota at all: the affinity count
setq "$top" 100000 -1 2>/dev/null || setq "$top" 100000 max
in_cgroup "$top/inner" > out; expect "no quota" "$aff" "affinity"
grep -o 'cgroup quota: [a-z0-9]*' err
