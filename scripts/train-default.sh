#!/usr/bin/env bash
# Trains the shipped potential from the committed DFT data, exactly as it was made (see docs/training.md), in two
# stages as active learning grew the data: a level-12 fit from a seeded random start to the first 119 configurations
# (rounds 1-7), then that fit continued on the first FIRST (rounds 1-11): linear stage again, then 300 L-BFGS
# iterations with stress weighted STRESS_WEIGHT. Both leave out the round-1 cells displaced far beyond thermal
# amplitudes and the test sets (`t10-` of round 10 and `t13-` of round 13's boundary neighbourhoods; never fitted: the
# README's validation tables are measured on them), and hold out a seeded 15 % for validation.
# Writes the potential, its active set and its report to OUT_DIR (default public/potentials); then
# `npm run bench:physics -- --diffusion-ps 2 --gb-ps 100 --report public/potentials/li3ps4-default.json` adds the
# MD checks and the limits they found to the report (the lab's status line shows them).
#
# Why two stages: fitted from a random start to all configurations at once, the loss is dominated by the forces of
# the 800-2000 K frames and the fit leaves a uniform stress error of 2.5 GPa; continued from the 119-label fit, it
# keeps energies and stress. Why the stress weight: with MLIP's 0.001 the level-12 fit still leaves about 2.8 GPa of
# pressure at the experimental cell, and the relaxed cell is 4.5 % off (docs/training.md has the tables).
set -euo pipefail
cd "$(dirname "$0")/.."
FIRST=${FIRST:-232}
STRESS_WEIGHT=${STRESS_WEIGHT:-0.1}
OUT_DIR=${OUT_DIR:-public/potentials}
STAGE1=$(mktemp -d)
trap 'rm -rf "$STAGE1"' EXIT
mkdir -p "$OUT_DIR"
common=(--data data/li3ps4-dft.extxyz --exclude '^(r1-rattle(800|2000)|t10-|t13-)' --validation 0.15 --seed 1)
node bin/lilab.mjs train "${common[@]}" --first 119 \
  --level 12 --cutoff 5 --min-dist 1.4 --iterations 500 \
  --out "$STAGE1/li3ps4-119.mtp" --report "$STAGE1/li3ps4-119.json"
exec node bin/lilab.mjs train "${common[@]}" --first "$FIRST" --init "$STAGE1/li3ps4-119.mtp" --iterations 300 \
  --stress-weight "$STRESS_WEIGHT" \
  --out "$OUT_DIR/li3ps4-default.mtp" --report "$OUT_DIR/li3ps4-default.json" "$@"
