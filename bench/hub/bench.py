"""Micro-benchmark of groupspawner: render the spawn form and resolve spawn
options with a policy of 50 groups. Prints medians and writes them to
bench/out/hub.txt."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "images" / "hub"))

from groupspawner import Policy, render_form  # noqa: E402

GROUPS = 50
TARGET_MS = 5.0


def make_policy() -> str:
    """A 50-group policy: 8 images x 4 tags, 6 pools, every kind of limit."""
    lines = ["images:"]
    for i in range(8):
        lines.append(f"  img{i}: {{repository: registry.example/nbkit/img{i}, "
                     "tags: [stable, stable-old, hotfix, dev]}")
    lines += ["groups:",
              "  default: {cpu: {min: 0.5, max: 4, default: 1, step: 0.5},"
              " memory_gib: {min: 1, max: 16, default: 4},"
              " images: {img0: [stable, stable-old]}, gpu: {max: 0}, pools: [pool0]}"]
    for g in range(1, GROUPS):
        img = f"img{g % 8}"
        lines.append(
            f"  team-{g:02d}: {{cpu: {{max: {4 + g % 12}}}, memory_gib: {{max: {16 + 2 * g}}},"
            f" gpu: {{max: {g % 3}}}, images: {{{img}: [stable, dev]}},"
            f" pools: [pool{g % 6}, pool{(g + 1) % 6}]}}")
    lines.append("pools:")
    for p in range(6):
        lines.append(f"  pool{p}: {{node_selector: {{pool: p{p}}}, tolerations: "
                     f"[{{key: dedicated, operator: Equal, value: p{p}, effect: NoSchedule}}]}}")
    lines.append("cpu_guarantee_ratio: 0.3333")
    return "\n".join(lines) + "\n"


def median_ms(fn, repeat: int = 2000, warmup: int = 50) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
    return statistics.median(samples) / 1e6


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "groups.yaml"
        path.write_text(make_policy())
        load_ms = median_ms(lambda: Policy.from_file(path), repeat=30, warmup=2)
        policy = Policy.from_file(path)
    assert len(policy.group_names) == GROUPS
    user_groups = ["team-01", "team-07", "team-13", "team-22", "team-48", "not-in-policy"]
    options = {"image": "img1:dev", "cpu": "6.5", "memory": 20, "gpu": "1", "pool": "pool2"}
    limits = policy.limits_for(user_groups)
    html = render_form(limits, previous=options)
    assert 'name="gpu"' in html and policy.resolve(user_groups, options).cpu_limit == 6.5

    def merge_uncached():
        policy._cache.clear()
        policy.limits_for(user_groups)

    def resolve_uncached():
        policy._cache.clear()
        policy.resolve(user_groups, options)

    def resolve_all_groups():
        policy._cache.clear()
        policy.resolve(policy.group_names, options)

    results = [
        ("render_form (5 groups + default, previous options)",
         median_ms(lambda: render_form(policy.limits_for(user_groups), previous=options))),
        ("resolve (cached merge)", median_ms(lambda: policy.resolve(user_groups, options))),
        ("resolve (merge not cached)", median_ms(resolve_uncached)),
        ("resolve (all 50 groups, merge not cached)", median_ms(resolve_all_groups, repeat=500)),
        ("merge limits only (not cached)", median_ms(merge_uncached)),
        ("load + validate the 50-group policy file", load_ms),
    ]
    header = (f"groupspawner micro-benchmark: policy of {GROUPS} groups, medians in ms "
              f"(target < {TARGET_MS} ms for render and resolve)\n"
              f"python {platform.python_version()} on {platform.machine()}, "
              f"{os.cpu_count()} CPUs\n")
    body = "".join(f"{value:10.3f} ms  {name}\n" for name, value in results)
    text = header + body
    sys.stdout.write(text)
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "hub.txt").write_text(text)
    worst = max(v for n, v in results if n.startswith(("render", "resolve")))
    if worst >= TARGET_MS:
        sys.stdout.write(f"FAIL: {worst:.3f} ms is over the {TARGET_MS} ms target\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
