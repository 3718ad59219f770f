import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_POTENTIAL } from '../src/cli/default-potential.ts';
import { main } from '../src/cli/main.ts';
import { parseMtp } from '../src/io/mtp.ts';
import { buildNeighborList } from '../src/model/neighbors.ts';
import { EV_A3_TO_GPA } from '../src/model/units.ts';
import { dispersionTailEfs, parseDispersionTail, tailSpeciesIndex } from '../src/potential/dispersion-tail.ts';
import { compileMtp } from '../src/potential/mtp/model.ts';
import { evaluateMtp } from '../src/potential/mtp/reference.ts';
import { stressGPa } from '../src/potential/types.ts';
import { configId, configKind, coverageOf, excludeById, readLabelled } from '../src/train/dataset.ts';
import { fitErrors } from '../src/train/linear-fit.ts';
import { FIXTURES } from './support.ts';

const DATA = 'data/li3ps4-dft.extxyz';

async function captured(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    return { code: await main(argv), lines };
  } finally {
    console.log = log;
  }
}

describe('training provenance and validation by kind, on the project DFT data', () => {
  const data = readLabelled(readFileSync(DATA, 'utf8'), DATA);

  it('ids and kinds come from config_id; --exclude drops by regular expression', () => {
    expect(configId(data[0])).toBe('r1-bulk-ideal');
    expect(configKind({ features: [['config_id', 'r2-thermal800-03']] })).toBe('r2-thermal800');
    const sources = [
      'thermal rattle 800 K',
      'S5 [001]/(120) tilt slab (101 atoms)',
      'MTP MD 800 K, S Frenkel pair',
      'neighbourhood of S 283 (grade 0.60; 0.55 in this cell) in MTP MD of sigma5-001-120 at 800 K',
      'MTP MD (li3ps4-default.mtp) of the relaxed, unit-aware S3 [110]/(111) bicrystal (data/gb-scan), CSVR 800 K',
    ];
    expect(coverageOf(sources.map((s) => ({ features: [['source', s] as [string, string]] })))).toEqual({
      'bulk cells': 1,
      'boundary slabs': 1,
      'point defects': 1,
      'boundary neighbourhoods': 1,
      bicrystals: 1,
    });
    const kept = excludeById(data, '^r1-rattle(800|2000)');
    expect(kept.length).toBeLessThan(data.length);
    expect(kept.some((c) => /^r1-rattle(800|2000)/.test(configId(c)))).toBe(false);
  });

  it('train --report records the data hash, what was left out and validated; validate reproduces the errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-report-'));
    const out = join(dir, 'fit.mtp');
    const report = join(dir, 'fit.json');
    const args = ['train', '--data', DATA, '--level', '6', '--iterations', '0', '--validation', '0.3'];
    const r = await captured([...args, '--exclude', '^r1-rattle2000', '--out', out, '--report', report]);
    expect(r.code).toBe(0);
    const rep = JSON.parse(readFileSync(report, 'utf8'));
    expect(rep.dataSha256).toBe(createHash('sha256').update(readFileSync(DATA)).digest('hex'));
    expect(rep.exclude).toBe('^r1-rattle2000');
    // --first N of an append-only file reproduces the fit on the data that existed then
    const again = await captured([
      ...args,
      '--exclude',
      '^r1-rattle2000',
      '--first',
      String(data.length),
      '--out',
      join(dir, 'b.mtp'),
      '--report',
      join(dir, 'b.json'),
    ]);
    expect(again.code).toBe(0);
    const rep2 = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'));
    expect(rep2.usedSha256).toBe(rep.usedSha256);
    expect(readFileSync(join(dir, 'b.mtp'), 'utf8')).toBe(readFileSync(out, 'utf8'));
    const fewer = await captured([
      ...args,
      '--first',
      '5',
      '--out',
      join(dir, 'c.mtp'),
      '--report',
      join(dir, 'c.json'),
    ]);
    expect(fewer.code).toBe(0);
    const rep3 = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'));
    expect(rep3.configurations.training + rep3.configurations.validation).toBe(5);
    expect(rep3.usedSha256).not.toBe(rep.usedSha256);
    const used = excludeById(data, '^r1-rattle2000');
    expect(rep.configurations.training + rep.configurations.validation).toBe(used.length);
    expect(rep.validationIds).toHaveLength(rep.configurations.validation);
    // what the training set covers, counted from the DFT tools' source strings (the lab's status line says it)
    const covered = Object.values(rep.coverage as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(covered).toBe(rep.configurations.training);
    expect(rep.coverage['short contacts']).toBeGreaterThan(0);
    expect(rep.coverage['bulk cells']).toBeGreaterThan(rep.coverage['short contacts']);
    for (const id of rep.validationIds) expect(used.map(configId)).toContain(id);

    // the validation table over exactly the validation ids matches the report's validation errors
    const escapeRe = (id: string) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const only = `^(${rep.validationIds.map(escapeRe).join('|')})$`;
    const v = await captured(['validate', '--potential', out, '--data', DATA, '--only', only]);
    expect(v.code).toBe(0);
    const all = v.lines
      .find((l) => l.startsWith('all'))!
      .trim()
      .split(/\s+/);
    expect(Number(all[1])).toBe(rep.configurations.validation);
    expect(Number(all[4])).toBeCloseTo(rep.errors.validation.forceMeVPerA.mae, 1);
    const model = compileMtp(parseMtp(readFileSync(out, 'utf8'), 'fit.mtp'));
    const validation = used.filter((c) => rep.validationIds.includes(configId(c)));
    const direct = fitErrors(model, validation);
    expect(Number(all[2])).toBeCloseTo(direct.energyMeVPerAtom.mae, 2);
    // the bias column: the signed mean of (potential - label) per atom, computed here from the evaluator itself
    const signed = validation.map((c) => {
      const r = evaluateMtp(model, c.types, buildNeighborList(c.positions, c.cell, model.maxDist));
      return ((r.energy - c.energy) / c.types.length) * 1000;
    });
    const bias = signed.reduce((a, b) => a + b, 0) / signed.length;
    expect(Number(all[3])).toBeCloseTo(bias, 2);
    expect(Math.abs(bias)).toBeLessThanOrEqual(direct.energyMeVPerAtom.mae + 1e-12);

    // --json: the same errors as one object
    const vj = await captured(['validate', '--potential', out, '--data', DATA, '--only', only, '--json']);
    expect(vj.code).toBe(0);
    const j = JSON.parse(vj.lines.join('\n'));
    expect(j.all.configurations).toBe(rep.configurations.validation);
    expect(j.all.energy_meV_atom.mae).toBeCloseTo(direct.energyMeVPerAtom.mae, 10);
    expect(j.all.force_meV_A.rmse).toBeCloseTo(direct.forceMeVPerA.rmse, 10);
    expect(j.all.energy_meV_atom.mean).toBeCloseTo(bias, 10);
    expect(
      Object.values(j.kinds as Record<string, { configurations: number }>).reduce((n, k) => n + k.configurations, 0),
    ).toBe(rep.configurations.validation);
    const cj = await captured(['check-mtp', out, '--json']);
    expect(cj.code).toBe(0);
    const m = JSON.parse(cj.lines.join('\n'));
    expect(m.level).toBe(6);
    expect(m.trained).toBe(true);
    expect(m.max_dist_A).toBe(model.maxDist);

    // a fit continued from this one (the default's second stage) keeps its level in the report
    expect(rep.start.level).toBe(6);
    const cont = await captured([
      ...args.filter((a, i) => a !== '--level' && args[i - 1] !== '--level'),
      '--init',
      out,
      '--out',
      join(dir, 'd.mtp'),
      '--report',
      join(dir, 'd.json'),
    ]);
    expect(cont.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8')).start).toEqual({ init: 'fit.mtp', level: 6 });
  });

  it('ships the boundary-trained l16-r23w as the default, byte for byte, with the test-set errors the README gives', async () => {
    // ADR 0017: public/potentials/li3ps4-default.* are copies of data/potentials/li3ps4-l16-r23w.*
    for (const ext of ['.mtp', '.json', '.mtp.als.json'])
      expect(readFileSync(DEFAULT_POTENTIAL.replace(/\.mtp$/, ext), 'utf8'), ext).toBe(
        readFileSync(`data/potentials/li3ps4-l16-r23w${ext}`, 'utf8'),
      );
    const rep = JSON.parse(readFileSync(DEFAULT_POTENTIAL.replace(/\.mtp$/, '.json'), 'utf8'));
    expect(rep.start.level).toBe(16);
    expect(rep.coverage['boundary neighbourhoods']).toBeGreaterThan(100);
    // the two sets no fit has seen: the closed-seam boundary cells of round 24 and the bulk MD frames of round 10
    for (const [only, n, energy, force] of [
      ['^t24-', 33, 5.27, 104],
      ['^t10-', 18, 5.2, 100],
    ] as const) {
      const v = await captured(['validate', '--data', DATA, '--only', only, '--json']);
      expect(v.code).toBe(0);
      const j = JSON.parse(v.lines.join('\n'));
      expect(j.all.configurations).toBe(n);
      expect(j.all.energy_meV_atom.mae).toBeCloseTo(energy, energy === 5.27 ? 2 : 1);
      expect(Math.round(j.all.force_meV_A.mae)).toBe(force);
    }
  }, 120_000);

  it('a potential fitted with the dispersion tail is measured with it: its report names the tail, validate adds it', async () => {
    const pot = 'data/potentials/li3ps4-l16-r23d.mtp';
    const tailPath = 'data/potentials/d3-tail.json';
    const rep = JSON.parse(readFileSync(pot.replace(/\.mtp$/, '.json'), 'utf8'));
    expect(rep.dispersionTail.file).toBe('d3-tail.json');
    expect(rep.dispersionTail.sha256).toBe(createHash('sha256').update(readFileSync(tailPath)).digest('hex'));
    // one configuration by hand: the MTP part plus the tail against the label
    const id = 't25-nb-sigma5-010-201-even-00';
    const cell = data.find((c) => configId(c) === id)!;
    const model = compileMtp(parseMtp(readFileSync(pot, 'utf8'), pot));
    const mtp = evaluateMtp(model, cell.types, buildNeighborList(cell.positions, cell.cell, model.maxDist));
    const tail = parseDispersionTail(readFileSync(tailPath, 'utf8'), tailPath);
    const t = dispersionTailEfs(tail, tailSpeciesIndex(tail, ['Li', 'P', 'S']), cell);
    const direct = (1000 * (mtp.energy + t.energy - cell.energy)) / cell.types.length;
    const withTail = async (only: string, potential: string = pot) =>
      JSON.parse(
        (
          await captured([
            'validate',
            '--potential',
            potential,
            '--dispersion-tail',
            tailPath,
            '--data',
            DATA,
            '--only',
            only,
            '--json',
          ])
        ).lines.join('\n'),
      );
    const one = await withTail(`^${id}$`);
    expect(one.all.energy_meV_atom.mean).toBeCloseTo(direct, 8);
    // and without it, the report refuses the potential alone (its tail is not beside it)
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const bare = await captured(['validate', '--potential', pot, '--data', DATA, '--only', `^${id}$`]);
    const said = err.mock.calls.flat().join(' ');
    err.mockRestore();
    expect(bare.code).not.toBe(0);
    expect(said).toMatch(/li3ps4-l16-r23d\.mtp was fitted to the labels less the dispersion tail d3-tail\.json/);
    // the tail is 60-90 meV/atom: without it the same potential is far off
    expect(Math.abs(direct - (1000 * (mtp.energy - cell.energy)) / cell.types.length)).toBeGreaterThan(50);
    // and the figures docs/training.md gives for it: bulk t10- 4.05 meV/atom, round 25 7.13
    for (const [only, energy] of [
      ['^t10-', 4.05],
      ['^t25-', 7.13],
    ] as const) {
      expect((await withTail(only)).all.energy_meV_atom.mae).toBeCloseTo(energy, 2);
    }
    // the boundary stages retraced with the tail end in the same place (docs/training.md): bulk within the target,
    // the boundary sets above the default's 5.27
    const retrace = 'data/potentials/tail-retrace/li3ps4-l16-r23w.mtp';
    for (const [only, energy] of [
      ['^t10-', 3.95],
      ['^t24-', 6.01],
      ['^t25-', 6.95],
    ] as const) {
      expect((await withTail(only, retrace)).all.energy_meV_atom.mae).toBeCloseTo(energy, 2);
    }
  }, 180_000);

  it('validate reports the force errors of the atoms a neighbourhood cell marks as selected, apart', async () => {
    const id = 't20-nb-sigma5-001-120-even-00';
    const cell = data.find((c) => configId(c) === id)!;
    // the cell was cut around one atom, and only that one is marked
    expect(cell.selected!.reduce((n, v) => n + v, 0)).toBe(1);
    const model = compileMtp(parseMtp(readFileSync(DEFAULT_POTENTIAL, 'utf8'), 'default.mtp'));
    const r = evaluateMtp(model, cell.types, buildNeighborList(cell.positions, cell.cell, model.maxDist));
    const atom = cell.selected!.indexOf(1);
    const direct = [0, 1, 2].reduce((s, d) => s + Math.abs(r.forces[3 * atom + d] - cell.forces[3 * atom + d]), 0) / 3;
    const v = await captured(['validate', '--data', DATA, '--only', `^${id}$`, '--json']);
    expect(v.code).toBe(0);
    const j = JSON.parse(v.lines.join('\n'));
    expect(j.all.selected_force_meV_A.mae).toBeCloseTo(1000 * direct, 8);
    expect(j.all.force_meV_A.mae).not.toBeCloseTo(j.all.selected_force_meV_A.mae, 3);
    // data without the column has none
    const bulk = await captured(['validate', '--data', DATA, '--only', '^r1-bulk-ideal$', '--json']);
    expect(JSON.parse(bulk.lines.join('\n')).all.selected_force_meV_A).toBeNull();
  });
});

describe('labelled data written by other codes', () => {
  it("reads ASE's stress= (eV/A^3, positive under tension) as MLIP's virial, and refuses an empty frame", () => {
    const file = `${FIXTURES}ase-stress.extxyz`;
    const [c] = readLabelled(readFileSync(file, 'utf8'), file);
    const v = 12.819 * 8.2195 * 6.1236;
    // ASE's stress of this compressed cell: xx yy zz yz xz xy = -0.010 -0.006 -0.004 0.001 -0.0005 0.002
    const expected = [0.01, 0.006, 0.004, -0.001, 0.0005, -0.002].map((x) => x * v);
    Array.from(c.plusStress!).forEach((x, k) => {
      expect(x).toBeCloseTo(expected[k], 9);
    });
    // compressed: the Cauchy stress the lab shows (GPa) is ASE's stress again, negative along every axis
    const p = c.plusStress!;
    const sigma = stressGPa([p[0], p[5], p[4], p[5], p[1], p[3], p[4], p[3], p[2]], v);
    expect(sigma[0]).toBeCloseTo(-0.01 * EV_A3_TO_GPA, 9);
    expect(sigma[4]).toBeCloseTo(-0.006 * EV_A3_TO_GPA, 9);
    expect(c.energy).toBe(-123.456);
    expect(c.forces.length).toBe(96);
    const empty = '0\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3:forces:R:3 energy=-1.0 pbc="T T T"\n';
    expect(() => readLabelled(empty, 'empty.extxyz')).toThrow(/empty\.extxyz: frame 1 has no atoms/);
  });
});
