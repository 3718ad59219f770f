#!/usr/bin/env bash
# Retraces the boundary-trained candidates from the level-12 default of 2026-12-01 (l12-r11s), stage by stage, with
# the settings each was made with (the "command" of each report in data/potentials/; why each stage is what it is:
# docs/training.md, from "Fits on the neutral bicrystals (round 20)" on):
#   l12-r11s -> l12-r20a -> l12-r20s -> l12-r21 -> l16-r21 -> l16-r22 -> l16-r22s -> l16-r23 -> l16-r23w
# The last is the shipped default (ADR 0017; `npm run train:default` runs this after retracing l12-r11s).
# About 5.5 hours on 2 cores. Each stage writes POT.mtp, its active set and its report to OUT_DIR (default
# dist/potentials, so the committed candidates are not overwritten) and is skipped when its .mtp is already there, so
# an interrupted run resumes at the stage it was in. L-BFGS sums over configurations in a fixed order per thread
# count; stages are run with the thread counts they were made with (third field below) to give the same files.
# `FROM=ID` starts at a committed candidate instead (e.g. FROM=l16-r22s retraces the last two stages only).
# `TAIL=TAIL.json` fits every stage to the labels less that dispersion tail (ADR 0018; with OUT_DIR elsewhere, since
# its potentials are other potentials), and `THREADS=N` overrides the thread counts (same fit, other rounding).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT_DIR=${OUT_DIR:-dist/potentials}
mkdir -p "$OUT_DIR"
base=(--data data/li3ps4-dft.extxyz --validation 0.15 --seed 1)
# id | init | thread count | the stage's own options, as its report's "command" has them (no option holds a space)
stages=(
  "l12-r20a|l12-r11s|1|--iterations 40 --first 255 --exclude ^(r1-rattle(800|2000)|t10-|t13-|t15-|r12-|r14-|r16-|r19-) --stress-weight 0.1 --energy-weight 20"
  "l12-r20s|l12-r20a|1|--iterations 40 --first 256 --exclude ^(r1-rattle(800|2000)|t10-|t13-|t15-|t20-|r12-|r14-|r16-) --energy-weight-of ^r1[789]-bicrystal=10 --stress-weight 0.5 --energy-weight 20"
  "l12-r21|l12-r20s|1|--iterations 40 --first 321 --exclude ^(r1-rattle(800|2000)|t10-|t13-|t15-|t20-|r12-|r14-|r16-) --energy-weight 20 --energy-weight-of ^r1[789]-bicrystal=10 --stress-weight 0.5"
  "l16-r21|l12-r21|1|--level 16 --iterations 25 --first 321 --exclude ^(r1-rattle(800|2000)|t10-|t13-|t15-|t20-|r12-|r14-|r16-) --energy-weight 20 --energy-weight-of ^r1[789]-bicrystal=10 --stress-weight 0.5"
  "l16-r22|l16-r21|1|--iterations 40 --first 359 --exclude ^(r1-rattle(800|2000)|t10-|t13-|t15-|t20-|r12-|r14-|r16-) --energy-weight 20 --energy-weight-of ^r1[789]-bicrystal=10 --stress-weight 0.5"
  "l16-r22s|l16-r22|1|--iterations 40 --first 359 --exclude ^(r1-rattle(800|2000)|t10-|t13-|t15-|t20-|r12-|r14-|r16-|r23-) --energy-weight 20 --energy-weight-of ^r1[789]-bicrystal=10 --energy-weight-of ^r2[12]-nb-=0 --stress-weight 0.5"
  "l16-r23|l16-r22s|2|--iterations 40 --first 399 --exclude ^(r1-rattle(800|2000)|t10-|t13-|t15-|t20-|r12-|r14-|r16-) --energy-weight 20 --energy-weight-of ^r1[789]-bicrystal=10 --energy-weight-of ^r2[12]-nb-=0 --stress-weight 0.5"
  "l16-r23w|l16-r23|2|--iterations 40 --first 399 --exclude ^(r1-rattle(800|2000)|t10-|t13-|t15-|t20-|r12-|r14-|r16-) --energy-weight 20 --energy-weight-of ^r1[789]-bicrystal=10 --energy-weight-of ^r2[12]-nb-=0.1 --stress-weight 0.5"
)
path_of() {
  if [ -f "$OUT_DIR/li3ps4-$1.mtp" ]; then echo "$OUT_DIR/li3ps4-$1.mtp"
  else echo "data/potentials/li3ps4-$1.mtp"; fi
}
started=${FROM:+no}
for stage in "${stages[@]}"; do
  IFS='|' read -r id init threads opts <<<"$stage"
  if [ "${started:-yes}" = no ]; then
    [ "$init" = "$FROM" ] && started=yes || continue
  fi
  out="$OUT_DIR/li3ps4-$id.mtp"
  if [ -f "$out" ]; then echo "# $id: $out is there, skipped"; continue; fi
  read -r -a args <<<"$opts"
  echo "# $id from $(path_of "$init")"
  tail=()
  [ -n "${TAIL:-}" ] && tail=(--dispersion-tail "$TAIL")
  node bin/lilab.mjs train "${base[@]}" --init "$(path_of "$init")" "${args[@]}" "${tail[@]}" \
    --threads "${THREADS:-$threads}" --out "$out" --report "$OUT_DIR/li3ps4-$id.json"
done
