import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zeroStressStrains } from '../src/analysis/lattice.ts';
import { ps4Census } from '../src/analysis/ps4.ts';
import { DEFAULT_POTENTIAL } from '../src/cli/default-potential.ts';
import { fileSha256, loadPotential } from '../src/cli/files.ts';
import { main } from '../src/cli/main.ts';
import { nodeGpuContext } from '../src/gpu/node-gpu.ts';
import { ParseError } from '../src/io/errors.ts';
import {
  boundaryStability,
  currentBoundaryStarts,
  isCheckedBoundary,
  limitsOf,
  mergeChecks,
  type RunCheck,
} from '../src/md/physics-checks.ts';
import { parseRunProgress, type RunIdentity, type RunProgress } from '../src/md/run-progress.ts';
import { STUDY_BOUNDARIES, systemStart } from '../src/md/study-pipeline.ts';
import { structureFingerprint } from '../src/model/fingerprint.ts';
import { buildNeighborList } from '../src/model/neighbors.ts';
import { GB_PRESETS } from '../src/structure/gb/presets.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { STRUCTURE_PRESETS } from '../src/structure/presets.ts';
import { repeatStructure } from '../src/structure/supercell.ts';

const bulk = repeatStructure(betaLi3PS4(), 1, 1, 2);
const sulfur = Array.from(bulk.types.keys()).filter((i) => bulk.species[bulk.types[i]] === 'S');

describe('structure checks of the physics bench', () => {
  it('finds every PS4 intact and no S-S bond in the crystal', () => {
    const census = ps4Census(bulk);
    expect(census.intactFraction).toBe(1);
    expect(census.intact).toBe(8);
    expect(census.sulfurBonds).toBe(0);
    expect(census.phosphorusContacts).toBe(0);
    expect(census.minDistance).toBeCloseTo(2.01, 2);
  });

  it('counts one S-S bond when an S atom is moved to 2.05 A of its nearest S', () => {
    const pos = Float64Array.from(bulk.positions);
    const i = sulfur[0];
    // nearest S neighbour of i (through the periodic images), from the neighbour list's vectors
    const nl = buildNeighborList(pos, bulk.cell, 4.5);
    let best = -1;
    let r = Number.POSITIVE_INFINITY;
    for (let k = nl.offsets[i]; k < nl.offsets[i + 1]; k++) {
      const j = nl.index[k];
      const d = Math.hypot(nl.vectors[3 * k], nl.vectors[3 * k + 1], nl.vectors[3 * k + 2]);
      if (bulk.species[bulk.types[j]] === 'S' && d < r) {
        r = d;
        best = k;
      }
    }
    expect(r).toBeGreaterThan(3); // the PS4 edge, about 3.3 A
    const shift = (r - 2.05) / r;
    for (let a = 0; a < 3; a++) pos[3 * i + a] += shift * nl.vectors[3 * best + a];
    expect(ps4Census(bulk, pos).sulfurBonds).toBe(1);
  });

  it('says in words which runs failed or formed spurious bonds, and nothing for clean runs', () => {
    const clean: RunCheck = {
      what: 'bulk',
      temperature: 800,
      targetPs: 22,
      reachedPs: 22,
      failed: null,
      minDistance: 1.9,
      intactPs4: 1,
      sulfurBonds: 0,
    };
    const legacy = { ...clean };
    clean.intactPs4Instant = 0.95;
    expect(limitsOf([clean])).toBe('');
    // measured before the 200 fs census (ADR 0016): the limit says it counted single frames
    expect(limitsOf([{ ...legacy, intactPs4: 0.94 }])).toBe(
      'bulk at 800 K breaks PS4 units (down to 94 % intact in single frames) within 22 ps',
    );
    expect(limitsOf([{ ...clean, intactPs4: 0.995 }])).toBe('');
    expect(limitsOf([{ ...clean, intactPs4: 0.94 }])).toBe(
      'bulk at 800 K breaks PS4 units (down to 94 % intact) within 22 ps',
    );
    const bonded = { ...clean, sulfurBonds: 3, intactPs4: 0.9 };
    const failed = { ...clean, what: 'S5 (120)', reachedPs: 1.2, failed: 'NaN in the run at step 1200' };
    expect(limitsOf([bonded, failed])).toBe(
      'bulk at 800 K forms up to 3 spurious S-S bonds and breaks PS4 units (down to 90 % intact) within 22 ps; ' +
        'S5 (120) at 800 K fails after 1.2 ps',
    );
  });

  it('keeps checks of the same potential from an earlier run unless measured again, and none of another potential', () => {
    const base: RunCheck = {
      what: 'bulk',
      temperature: 800,
      targetPs: 4,
      reachedPs: 4,
      failed: null,
      minDistance: 1.9,
      intactPs4: 1,
      sulfurBonds: 0,
    };
    const diffusion800 = { ...base, line: 'bulk 800 (here)' };
    const diffusion300 = { ...base, temperature: 300, line: 'bulk 300 (here)' };
    const boundary = { ...base, what: 'S5 (120)', targetPs: 100, line: 'S5 100 ps (GPU)', adapter: 'nvidia' };
    const earlier = { potentialSha256: 'aa', checks: [diffusion800, diffusion300] };
    const now = new Set(['S5 (120) at shift 0, 0.25']);
    // the long boundary run measured elsewhere joins the bulk checks
    expect(mergeChecks(earlier, 'aa', [boundary], now).map((c) => c.line)).toEqual([
      'bulk 800 (here)',
      'bulk 300 (here)',
      'S5 100 ps (GPU)',
    ]);
    // a check measured again replaces the earlier one
    const again = { ...diffusion800, line: 'bulk 800 (again)' };
    expect(mergeChecks(earlier, 'aa', [again], now).map((c) => c.line)).toEqual([
      'bulk 300 (here)',
      'bulk 800 (again)',
    ]);
    // checks of another potential (a retrained one) are dropped, as is a report without checks
    expect(mergeChecks(earlier, 'bb', [boundary], now).map((c) => c.line)).toEqual(['S5 100 ps (GPU)']);
    expect(mergeChecks(undefined, 'aa', [boundary], now)).toHaveLength(1);
    // an older report kept lines, adapter and time beside its checks: each kept check takes its own
    const older = { potentialSha256: 'aa', adapter: 'swiftshader', measured: 't0', lines: ['bulk 800', 'bulk 300'] };
    const merged = mergeChecks({ ...older, checks: [base, { ...base, temperature: 300 }] }, 'aa', [boundary], now);
    expect(merged.map((c) => [c.line, c.adapter])).toEqual([
      ['bulk 800', 'swiftshader'],
      ['bulk 300', 'swiftshader'],
      ['S5 100 ps (GPU)', 'nvidia'],
    ]);
    // a boundary check is kept while its start is the boundary as built now: not once the preset has moved, and not
    // when it does not say its start
    const at = (structure: string | undefined, line: string) => ({ ...boundary, temperature: 1000, structure, line });
    const moved = {
      potentialSha256: 'aa',
      checks: [
        at('S5 (120) at shift 0, 0.25', 'now'),
        at('S5 (120) at shift 0.25, 0.5', 'before'),
        at(undefined, 'old'),
      ],
    };
    expect(mergeChecks(moved, 'aa', [diffusion800], now).map((c) => c.line)).toEqual(['now', 'bulk 800 (here)']);
  });

  it('names every boundary start by its translation and built fingerprint, and the amorphous interface by the bicrystal it melts', () => {
    const starts = currentBoundaryStarts();
    expect(starts.size).toBe(STUDY_BOUNDARIES.length);
    const p = GB_PRESETS.find((q) => q.id === 'sigma5-001-120')!;
    const own = systemStart(p.id)!;
    expect(own).toContain(`shift ${p.translation.shift.join(', ')} and gap ${p.translation.gap} A`);
    // the same translation built otherwise (here: another cell thickness stands in for a changed rule) is another start
    const built = STRUCTURE_PRESETS[p.id].build();
    expect(own).toContain(`(${built.types.length} atoms, ${structureFingerprint(built)})`);
    const other = STRUCTURE_PRESETS[p.id].build({ a: 1, b: 1, c: 2 });
    expect(structureFingerprint(other)).not.toBe(structureFingerprint(built));
    // rounding noise below 1e-6 A is the same structure
    const nudged = { ...built, positions: built.positions.map((x) => x + 1e-9) };
    expect(structureFingerprint(nudged)).toBe(structureFingerprint(built));
    expect(systemStart('amorphous-120')).toContain(own);
    expect(systemStart('nowhere')).toBeNull();
  });

  it('puts the zero-stress strain of each axis between the cells that bracket it, or a little beyond them', () => {
    // pressure linear in strain along each axis: p = 1 - 50 e (zero at +2 %), p = -2 - 100 e (zero at -2 %),
    // p = 0.4 + 10 e (zero at -4 %, 1 % beyond the cells, less than the 2 % between the end pair: extrapolated)
    const cells = [0, -0.01, -0.03].map((e) => ({
      strain: [e + 0.04, e, e],
      pressure: [1 - 50 * (e + 0.04), -2 - 100 * e, 0.4 + 10 * e],
    }));
    const [a, b, c] = zeroStressStrains(cells);
    expect(a?.bracketed).toBe(true);
    expect(a?.strain).toBeCloseTo(0.02, 12);
    expect(b?.bracketed).toBe(true);
    expect(b?.strain).toBeCloseTo(-0.02, 12);
    expect(c?.bracketed).toBe(false);
    expect(c?.strain).toBeCloseTo(-0.04, 12);
    // zero at -9 %, further out than the end pair is apart: no estimate
    const far = cells.map((x) => ({ ...x, pressure: x.pressure.map((p, k) => (k === 2 ? p + 0.5 : p)) }));
    expect(zeroStressStrains(far)[2]).toBeNull();
  });
});

describe('lilab physics', () => {
  it('checks every boundary of the study, the amorphous interface among them, and not the bulk', () => {
    expect(STUDY_BOUNDARIES).toContain('amorphous-120');
    expect(STUDY_BOUNDARIES).toHaveLength(9);
    for (const id of STUDY_BOUNDARIES) expect(isCheckedBoundary(id), id).toBe(true);
    expect(isCheckedBoundary('beta-li3ps4')).toBe(false);
    expect(isCheckedBoundary('nowhere')).toBe(false);
  });

  it('runs a boundary from its relaxed positions and reports collapse, temperature and the PS4 census', async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => lines.push(a.join(' '));
    let rc: number;
    try {
      rc = await main(['physics', '--skip-lattice', '--diffusion-ps', '0', '--gb', 'sigma3-110-111', '--gb-ps', '0.3']);
    } finally {
      console.log = log;
    }
    expect(rc).toBe(0);
    const row = lines.find((l) => l.startsWith('sigma3-110-111 (168 atoms) 800 K, 0.3 ps from relaxed'));
    expect(row, lines.join('\n')).toBeDefined();
    const T = Number(/<T> (\d+) K/.exec(row!)![1]);
    // CSVR from 800 K velocities: the run stays near its target (a blow-up would say "collapsed")
    expect(T).toBeGreaterThan(400);
    expect(T).toBeLessThan(1200);
    expect(row).not.toMatch(/collapse/);
    expect(Number(/shortest distance over the run ([\d.]+) A/.exec(row!)![1])).toBeGreaterThan(1.4);
    expect(Number(/intact PS4 (\d+) %/.exec(row!)![1])).toBeGreaterThanOrEqual(99);
    expect(await main(['physics', '--gb', 'nowhere', '--skip-lattice', '--diffusion-ps', '0'])).toBe(2);
    expect(await main(['physics', '--gb', 'beta-li3ps4', '--skip-lattice', '--diffusion-ps', '0'])).toBe(2);
  }, 300_000);

  it('goes on from a saved picosecond to the same end, and keeps a run that ended without running it again', async () => {
    const ctx = await nodeGpuContext();
    const potential = loadPotential(DEFAULT_POTENTIAL);
    const id: RunIdentity = {
      preset: 'sigma3-110-111',
      temperature: 800,
      targetPs: 2,
      potentialSha256: fileSha256(DEFAULT_POTENTIAL),
      structure: systemStart('sigma3-110-111')!,
    };
    const dir = mkdtempSync(join(tmpdir(), 'lilab-physics-resume-'));
    const file = join(dir, 'progress.json');
    try {
      const saved: string[] = [];
      const quiet = () => {};
      const first = await boundaryStability(ctx, potential, id.preset, 800, 2, quiet, {
        potentialSha256: id.potentialSha256,
        resume: null,
        save: (p) => saved.push(JSON.stringify(p)),
      });
      // one save at the 1 ps record, then the ended run
      expect(saved).toHaveLength(2);
      const atOne = parseRunProgress(saved[0], file, id);
      expect(atOne.line).toBeNull();
      expect(atOne.md?.step).toBe(1000);
      expect(atOne.records).toBe(1);
      const ended = parseRunProgress(saved[1], file, id);
      expect(ended.line).toBe(first.line);
      expect(ended.md).toBeNull();
      // the second sitting: from 1 ps to 2 ps, without building or relaxing again
      const log: string[] = [];
      const again: string[] = [];
      const second = await boundaryStability(ctx, potential, id.preset, 800, 2, (l) => log.push(l), {
        potentialSha256: id.potentialSha256,
        resume: atOne,
        save: (p) => again.push(JSON.stringify(p)),
      });
      expect(log.join('\n')).toContain('going on from 1 ps');
      expect(log.join('\n')).not.toContain('FIRE');
      expect(second.check.reachedPs).toBe(2);
      expect(second.check.failed).toBeNull();
      expect(second.line).toMatch(/^sigma3-110-111 \(168 atoms\) 800 K, 2 ps from relaxed/);
      const done = JSON.parse(again.at(-1)!) as RunProgress;
      expect(done.records).toBe(2);
      expect(done.seconds).toBeGreaterThan(atOne.seconds);
      // the census measures what one run would: whole units and no S-S bond in both sittings' frames
      expect(second.check.intactPs4).toBeGreaterThanOrEqual(0.99);
      expect(second.check.sulfurBonds).toBe(0);
      const T = Number(/<T> (\d+) K/.exec(second.line)![1]);
      expect(T).toBeGreaterThan(600);
      expect(T).toBeLessThan(1000);
      // an ended run is kept: no MD, the same line
      const kept = await boundaryStability(ctx, potential, id.preset, 800, 2, quiet, {
        potentialSha256: id.potentialSha256,
        resume: ended,
        save: () => {
          throw new Error('an ended run saves nothing');
        },
      });
      expect(kept.line).toBe(first.line);
      // the command finds the file by run in --resume-dir, and prints the ended run's line
      writeFileSync(join(dir, 'sigma3-110-111-800K-2ps.json'), saved[1]);
      const lines: string[] = [];
      const print = console.log;
      console.log = (...a: unknown[]) => lines.push(a.join(' '));
      try {
        const argv = ['physics', '--skip-lattice', '--diffusion-ps', '0', '--gb', id.preset, '--gb-runs', '800:2'];
        expect(await main([...argv, '--resume-dir', dir])).toBe(0);
      } finally {
        console.log = print;
      }
      expect(lines).toContain(first.line);
      expect(lines.join('\n')).toContain('ended in an earlier sitting, kept');
      // another run's file is refused, naming it and the field that differs
      writeFileSync(file, saved[0]);
      expect(() => parseRunProgress(readFileSync(file, 'utf8'), file, { ...id, temperature: 1000 })).toThrow(
        /progress\.json.*another run \("temperature" 800, this run's 1000\)/,
      );
      // and so is the progress of the same preset at another translation
      expect(() => parseRunProgress(saved[0], file, { ...id, structure: 'sigma3-110-111, grain B moved' })).toThrow(
        /another run \("structure"/,
      );
      expect(atOne.check.structure).toBe(id.structure);
      expect(() => parseRunProgress(saved[0].slice(0, 200), file, id)).toThrow(ParseError);
      const broken = JSON.parse(saved[0]) as RunProgress;
      broken.md!.velocities = broken.md!.velocities.slice(1);
      expect(() => parseRunProgress(JSON.stringify(broken), file, id)).toThrow(/"velocities" has \d+ numbers/);
    } finally {
      ctx.device.destroy();
    }
  }, 600_000);
});
