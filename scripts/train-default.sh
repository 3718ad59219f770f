#!/usr/bin/env bash
# Trains the shipped potential from the committed DFT data, exactly as it was made (see docs/training.md), in two
# stages as active learning grew the data: a fit from a seeded random start to the first 119 configurations (rounds
# 1-7), then that fit continued on the first FIRST (rounds 1-9): linear stage again, then 300 L-BFGS iterations. Both
# leave out the round-1 cells displaced far beyond thermal amplitudes and hold out a seeded 15 % for validation.
# Writes the potential, its active set and its report; then
# `npm run bench:physics -- --diffusion-ps 2 --gb-ps 100 --report public/potentials/li3ps4-default.json` adds the
# MD checks and the limits they found to the report (the lab's status line shows them).
#
# Why two stages: fitted from a random start to all 203 configurations with the same 500 iterations, the loss is
# dominated by the forces of the new 800-2000 K frames and the fit leaves a uniform stress error of 2.5 GPa (energy
# MAE 32 meV/atom on the held-out configurations); continued from the 119-label fit, it keeps energies and stress
# (docs/training.md has both tables).
set -euo pipefail
cd "$(dirname "$0")/.."
FIRST=${FIRST:-203}
STAGE1=$(mktemp -d)
trap 'rm -rf "$STAGE1"' EXIT
common=(--data data/li3ps4-dft.extxyz --exclude '^r1-rattle(800|2000)' --validation 0.15 --seed 1)
node bin/lilab.mjs train "${common[@]}" --first 119 \
  --level 10 --cutoff 5 --min-dist 1.4 --iterations 500 \
  --out "$STAGE1/li3ps4-119.mtp" --report "$STAGE1/li3ps4-119.json"
exec node bin/lilab.mjs train "${common[@]}" --first "$FIRST" --init "$STAGE1/li3ps4-119.mtp" --iterations 300 \
  --out public/potentials/li3ps4-default.mtp --report public/potentials/li3ps4-default.json "$@"
