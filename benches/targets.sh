#!/usr/bin/env bash
# The performance targets of benches/RESULTS.md, measured on this machine in one run: builds the
# release binary and the bundle generator, generates the bundles into DIR when they are missing,
# times each comparison side by side with hyperfine, and prints one markdown table with the
# figures and whether each target holds.
#
#   benches/targets.sh [DIR]      DIR defaults to target/bench-bundles (about 10 GB of bundles)
#   RUNS=10 benches/targets.sh    more runs per command (default 5)
#
# Needs hyperfine, rg (ripgrep), gzip, xargs and python3 (3.11 or later, for tomllib). Measure on
# an idle machine with a warm page cache: the first run of each command is a warm-up.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${1:-target/bench-bundles}
runs=${RUNS:-5}
for tool in hyperfine rg gzip xargs python3; do
  command -v "$tool" >/dev/null || { echo "targets.sh: $tool is needed and was not found" >&2; exit 2; }
done

cargo build --quiet --release --bin cas-triage --example generate_bundle
cas=$PWD/target/release/cas-triage
generate=$PWD/target/release/examples/generate_bundle
mkdir -p "$dir/results"
dir=$(cd "$dir" && pwd)
out=$dir/results

# name, then the generator's options: the bundles RESULTS.md names.
bundles=(
  "gb1g    --size 1GiB    --files 110   --seed 1"
  "gplain  --size 1GiB    --files 110   --seed 1 --gz-fraction 0"
  "g4g     --size 4GiB    --files 110   --seed 1"
  "g2one   --size 2GiB    --files 1     --seed 3 --gz-fraction 0"
  "g10     --size 1000MiB --files 10    --seed 4 --gz-fraction 0"
  "gsmall5 --size 1000MiB --files 10000 --seed 4 --gz-fraction 0 --hosts 5"
)
for spec in "${bundles[@]}"; do
  read -r name options <<<"$spec"
  if [ ! -d "$dir/$name" ]; then
    echo "== generating $dir/$name ($options)" >&2
    # shellcheck disable=SC2086 # the options are words
    "$generate" "$dir/$name" $options >/dev/null
  fi
done

# Every literal signature of the default pack, as ripgrep reads them.
python3 - >"$dir/literals.txt" <<'EOF'
import glob, tomllib
literals = set()
for path in glob.glob("rules/*.toml"):
    with open(path, "rb") as f:
        for rule in tomllib.load(f).get("rule", []):
            for signature in rule.get("signature", []):
                literals.update(signature.get("literals", []))
print("\n".join(sorted(literals)))
EOF

# For reference, the pack without the task analysis (the rule task.clock-skew-suspected cut out
# of analyses.toml): what the line rules alone cost against ripgrep.
rm -rf "$dir/rules-notask"
cp -r rules "$dir/rules-notask"
python3 - "$dir/rules-notask/analyses.toml" <<'EOF2'
import re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
blocks = re.split(r"(?m)^(?=\[\[rule\]\]\n)", text)
kept = [b for b in blocks if not b.startswith('[[rule]]\nid = "task.clock-skew-suspected"')]
assert len(kept) == len(blocks) - 1, "the task rule was not found in analyses.toml"
open(path, "w", encoding="utf-8").write("".join(kept))
EOF2

time_all() { # NAME COMMAND...: hyperfine, side by side, into $out/NAME.json
  local name=$1
  shift
  echo "== $name" >&2
  hyperfine -N -w 1 -r "$runs" --export-json "$out/$name.json" "$@" >/dev/null
}

scan="$cas scan --format json"
lits="-c -F -f $dir/literals.txt"
time_all rg-gb1g "$scan --threads 1 $dir/gb1g" "rg $lits -j1 $dir/gb1g" "rg -z $lits -j1 $dir/gb1g" \
  "$scan --threads 2 $dir/gb1g" "rg $lits -j2 $dir/gb1g" "rg -z $lits -j2 $dir/gb1g"
time_all rg-gplain "$scan --threads 1 $dir/gplain" "rg $lits -j1 $dir/gplain" \
  "$scan --threads 2 $dir/gplain" "rg $lits -j2 $dir/gplain"
time_all notask "$scan --rules $dir/rules-notask --threads 1 $dir/gplain" "rg $lits -j1 $dir/gplain" \
  "$scan --rules $dir/rules-notask --threads 2 $dir/gplain" "rg $lits -j2 $dir/gplain"
time_all g2one "$scan --threads 1 $dir/g2one" "$scan --threads 2 $dir/g2one"
time_all small "$scan --threads 1 $dir/gsmall5" "$scan --threads 2 $dir/gsmall5" \
  "$scan --threads 1 $dir/g10" "$scan --threads 2 $dir/g10"

(cd "$dir/gb1g" && find . -name '*.gz' | sort) >"$dir/gzlist.txt"
time_all gz "bash -c 'cd $dir/gb1g && xargs gzip -dc <$dir/gzlist.txt >/dev/null'" \
  "bash -c 'cd $dir/gb1g && xargs -P2 -n1 gzip -dc <$dir/gzlist.txt >/dev/null'" \
  "bash -c 'cd $dir/gb1g && xargs $scan --threads 1 <$dir/gzlist.txt >/dev/null'" \
  "bash -c 'cd $dir/gb1g && xargs $scan --threads 2 <$dir/gzlist.txt >/dev/null'"

echo '2022-09-29 10:15:32,118 ERROR [main] - one line' >"$dir/one.log"
runs=30 time_all startup "$cas scan $dir/one.log"

echo "== peak memory" >&2
for threads in 1 2; do
  for name in gb1g g4g; do
    $scan --threads "$threads" --stats "$dir/$name" 2>&1 >/dev/null |
      sed -n "s/.*peak memory \([0-9]*\) MiB.*/$name $threads \1/p"
  done
done >"$out/memory.txt"

python3 - "$out" <<'EOF'
import json, sys
out = sys.argv[1]

def means(name):
    with open(f"{out}/{name}.json") as f:
        return [r["mean"] for r in json.load(f)["results"]]

def s(t):
    return f"{t * 1000:.0f} ms" if t < 1 else f"{t:.3f} s"

def row(target, measured, holds):
    print(f"| {target} | {measured} | {'yes' if holds else '**no**'} |")

print("| target | measured | holds |")
print("| --- | --- | --- |")
c1, r1, z1, c2, r2, z2 = means("rg-gb1g")
row("≤ 0.5 × `rg -c -F -f LITERALS`, gb1g, 1 / 2 threads",
    f"{s(c1)} / {s(c2)} against {s(r1)} / {s(r2)}: {c1 / r1:.2f}× / {c2 / r2:.2f}× "
    f"(against `rg -z`, {s(z1)} / {s(z2)}: {c1 / z1:.2f}× / {c2 / z2:.2f}×)",
    c1 <= r1 / 2 and c2 <= r2 / 2)
p1, q1, p2, q2 = means("rg-gplain")
row("the same, gplain (no `.gz`)", f"{s(p1)} / {s(p2)} against {s(q1)} / {s(q2)}: {p1 / q1:.2f}× / {p2 / q2:.2f}×",
    p1 <= q1 / 2 and p2 <= q2 / 2)
n1, m1, n2, m2 = means("notask")
print(f"| (for reference, no target) the pack without the task analysis, gplain | {s(n1)} / {s(n2)} against "
      f"{s(m1)} / {s(m2)}: {n1 / m1:.2f}× / {n2 / m2:.2f}× | |")
s1, s2, t1, t2 = means("small")
scaling = {"gb1g": c1 / c2, "gplain": p1 / p2, "gsmall5": s1 / s2, "g10": t1 / t2}
row("2 threads ≥ 1.8 × 1 thread, many files", ", ".join(f"{k} {v:.2f}×" for k, v in scaling.items()),
    min(scaling.values()) >= 1.8)
o1, o2 = means("g2one")
row("2 threads ≥ 1.8 × 1 thread, one 2 GiB file", f"{s(o1)} / {s(o2)} = {o1 / o2:.2f}×", o1 / o2 >= 1.8)
memory = {}
with open(f"{out}/memory.txt") as f:
    for line in f:
        name, threads, mib = line.split()
        memory[(name, threads)] = int(mib)
ratios = {t: memory[("g4g", t)] / memory[("gb1g", t)] for t in ("1", "2")}
row("peak RSS, 4 GiB ≤ 1.3 × 1 GiB, 1 / 2 threads",
    " / ".join(f"{memory[('g4g', t)]} MiB against {memory[('gb1g', t)]} MiB = {ratios[t]:.2f}×" for t in ("1", "2")),
    max(ratios.values()) <= 1.3)
g1, g2, d1, d2 = means("gz")
row("`.gz` at least as fast as `gzip -dc`, the `.gz` of gb1g",
    f"cas-triage {s(d1)} / {s(d2)}, gzip {s(g1)} / {s(g2)} (`xargs -P2`)", d1 <= g1 and d2 <= g2)
(u,) = means("startup")
row("start-up ≤ 20 ms", s(u) if u >= 1 else f"{u * 1000:.1f} ms", u <= 0.020)
per_byte = (s1 / t1, s2 / t2)  # the bundles hold the same bytes
row("10,000 × 100 KiB against 10 × 100 MiB, per byte ≤ 1.5×, 1 / 2 threads",
    f"{per_byte[0]:.2f}× / {per_byte[1]:.2f}×", max(per_byte) <= 1.5)
EOF
