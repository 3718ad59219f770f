#!/usr/bin/env bash
# Trains the shipped potential from the committed DFT data, exactly as it was made (see docs/training.md):
# the first FIRST configurations of the append-only dataset, without the round-1 cells displaced far beyond
# thermal amplitudes, a seeded 15 % held out for validation. Writes the potential, its active set and its report;
# then `npm run bench:physics -- --diffusion-ps 2 --gb-ps 10 --report public/potentials/li3ps4-default.json` adds the
# MD checks and the limits they found to the report (the lab's status line shows them).
set -euo pipefail
cd "$(dirname "$0")/.."
FIRST=${FIRST:-119}
exec node bin/lilab.mjs train \
  --data data/li3ps4-dft.extxyz --first "$FIRST" --exclude '^r1-rattle(800|2000)' \
  --level 10 --cutoff 5 --min-dist 1.4 --validation 0.15 --seed 1 --iterations 500 \
  --out public/potentials/li3ps4-default.mtp --report public/potentials/li3ps4-default.json "$@"
