#!/usr/bin/env bash
# Trains the shipped potential from the committed DFT data, exactly as it was made (docs/training.md; ADR 0017), in
# the stages active learning grew the data through:
# 1. l12-r11s, the level-12 default of 2026-12-01: a fit to the first 119 configurations (rounds 1-7) from a seeded
#    random start, then continued on the first FIRST (rounds 1-11): linear stage again, then 300 L-BFGS iterations
#    with stress weighted STRESS_WEIGHT. Both leave out the round-1 cells displaced far beyond thermal amplitudes and
#    the test sets (`t10-` of round 10, `t13-` of round 13), and hold out a seeded 15 % for validation. About 45 minutes.
# 2. the boundary stages from it to l16-r23w (scripts/train-boundary.sh, about 5.5 hours on 2 cores).
# 3. l16-r23w copied as li3ps4-default.{mtp,json,mtp.als.json}.
# Everything goes to OUT_DIR (default dist/potentials, so the committed files are not overwritten; compare them with
# cmp); a stage whose .mtp is there is skipped, so an interrupted run resumes. The MD checks are then added to the
# report by `npm run bench:physics -- --report OUT_DIR/li3ps4-default.json` (the lab's status line shows their limits).
#
# Why stage 1 has two steps: fitted from a random start to all configurations at once, the loss is dominated by the
# forces of the 800-2000 K frames and the fit leaves a uniform stress error of 2.5 GPa; continued from the 119-label
# fit, it keeps energies and stress. Why the stress weight: with MLIP's 0.001 the level-12 fit still leaves about 2.8
# GPa of pressure at the experimental cell, and the relaxed cell is 4.5 % off (docs/training.md has the tables).
set -euo pipefail
cd "$(dirname "$0")/.."
FIRST=${FIRST:-232}
STRESS_WEIGHT=${STRESS_WEIGHT:-0.1}
OUT_DIR=${OUT_DIR:-dist/potentials}
mkdir -p "$OUT_DIR"
if [ ! -f "$OUT_DIR/li3ps4-l12-r11s.mtp" ]; then
  STAGE1=$(mktemp -d)
  trap 'rm -rf "$STAGE1"' EXIT
  common=(--data data/li3ps4-dft.extxyz --exclude '^(r1-rattle(800|2000)|t10-|t13-)' --validation 0.15 --seed 1)
  node bin/lilab.mjs train "${common[@]}" --first 119 \
    --level 12 --cutoff 5 --min-dist 1.4 --iterations 500 \
    --out "$STAGE1/li3ps4-119.mtp" --report "$STAGE1/li3ps4-119.json"
  node bin/lilab.mjs train "${common[@]}" --first "$FIRST" --init "$STAGE1/li3ps4-119.mtp" --iterations 300 \
    --stress-weight "$STRESS_WEIGHT" \
    --out "$OUT_DIR/li3ps4-l12-r11s.mtp" --report "$OUT_DIR/li3ps4-l12-r11s.json"
fi
OUT_DIR="$OUT_DIR" bash scripts/train-boundary.sh
for ext in mtp json mtp.als.json; do cp "$OUT_DIR/li3ps4-l16-r23w.$ext" "$OUT_DIR/li3ps4-default.$ext"; done
