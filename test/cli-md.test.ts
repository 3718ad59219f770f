import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { parseCheckpoint } from '../src/io/checkpoint.ts';
import { parseExtxyz } from '../src/io/extxyz.ts';
import { writeMtp } from '../src/io/mtp.ts';
import { STATE_FLOATS } from '../src/md/layout.ts';
import { softSphereMtp } from './support.ts';

describe('lilab md', () => {
  it('writes thermodynamics, an extended-XYZ trajectory, a LAMMPS dump and a checkpoint that resumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-md-'));
    const pot = join(dir, 'soft.mtp');
    writeFileSync(pot, writeMtp(softSphereMtp()));
    const files = {
      out: join(dir, 't.extxyz'),
      thermo: join(dir, 't.csv'),
      dump: join(dir, 't.dump'),
      cp: join(dir, 'cp.json'),
    };
    const common = ['--structure', 'beta-li3ps4', '--supercell', '1x1x2', '--potential', pot, '--temperature', '300'];
    const code = await main([
      'md',
      ...common,
      '--steps',
      '60',
      '--every',
      '20',
      '--out',
      files.out,
      '--thermo',
      files.thermo,
      '--dump',
      files.dump,
      '--checkpoint',
      files.cp,
    ]);
    expect(code).toBe(0);
    const text = readFileSync(files.thermo, 'utf8');
    // provenance first: version, the potential and its SHA-256, the seed, the command line
    expect(text).toMatch(/^# lilab=\d+\.\d+\.\d+\n/);
    expect(text).toMatch(/\n# potential_sha256=[0-9a-f]{64}\n/);
    expect(text).toMatch(/\n# command=lilab md --structure /);
    const csv = text
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('#'));
    expect(csv.length).toBe(4);
    expect(csv[0]).toMatch(/^step,time_fs,potential_eV/);
    expect(csv.slice(1).map((l) => Number(l.split(',')[0]))).toEqual([20, 40, 60]);
    const frames = parseExtxyz(readFileSync(files.out, 'utf8'));
    expect(frames.length).toBe(3);
    expect(frames[0].structure.types.length).toBe(64);
    expect(frames[2].info.step).toBe('60');
    // the first frame carries the same provenance; the others do not repeat it
    expect(frames[0].info.lilab).toMatch(/^\d+\.\d+\.\d+$/);
    expect(frames[0].info.potential_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(frames[0].info.command).toMatch(/^lilab md --structure beta-li3ps4 /);
    expect(frames[0].info.seed).toBe('1');
    expect(frames[1].info.lilab).toBeUndefined();
    expect(readFileSync(files.dump, 'utf8').match(/ITEM: TIMESTEP/g)?.length).toBe(3);
    const cp = JSON.parse(readFileSync(files.cp, 'utf8'));
    expect(cp.step).toBe(60);
    const resumed = await main([
      'md',
      ...common,
      '--steps',
      '20',
      '--every',
      '20',
      '--resume',
      files.cp,
      '--thermo',
      files.thermo,
    ]);
    expect(resumed).toBe(0);
    const more = readFileSync(files.thermo, 'utf8').trim().split('\n');
    expect(Number(more.at(-1)!.split(',')[0])).toBe(80);
  });

  it('build -> md --pressure -> msd --region gb:3: frames carry the boundary labels and the barostat cell', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-gbflow-'));
    const pot = join(dir, 'soft.mtp');
    writeFileSync(pot, writeMtp(softSphereMtp()));
    const gb = join(dir, 'gb.extxyz');
    const traj = join(dir, 'gb-md.extxyz');
    const thermo = join(dir, 'gb.csv');
    const quiet = console.log;
    console.log = () => {};
    try {
      expect(await main(['build', '--preset', 'sigma3-110-111', '--out', gb])).toBe(0);
      const md = ['md', '--structure', gb, '--potential', pot, '--temperature', '300', '--steps', '300'];
      const outputs = ['--every', '10', '--frame-every', '10', '--out', traj, '--thermo', thermo];
      expect(await main([...md, ...outputs, '--pressure', '5', '--barostat-tau', '100'])).toBe(0);
      expect(await main(['msd', traj, '--region', 'gb:3', '--axis-normal', 'z'])).toBe(0);
    } finally {
      console.log = quiet;
    }
    const frames = parseExtxyz(readFileSync(traj, 'utf8'), traj);
    const built = parseExtxyz(readFileSync(gb, 'utf8'), gb)[0];
    expect(Array.from(frames[0].arrays.gb_distance)).toEqual(Array.from(built.arrays.gb_distance));
    expect(Array.from(frames.at(-1)!.arrays.grain)).toEqual(Array.from(built.arrays.grain));
    // the barostat changed the cell; frames and the thermo CSV follow it
    const rows = readFileSync(thermo, 'utf8')
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('#'));
    const head = rows[0].split(',');
    const vol = head.indexOf('volume_A3');
    const a = head.indexOf('a_A');
    expect(vol).toBeGreaterThan(0);
    const last = rows.at(-1)!.split(',').map(Number);
    const first = rows[1].split(',').map(Number);
    expect(last[vol]).not.toBeCloseTo(first[vol], 1);
    const L = frames.at(-1)!.structure.cell.lattice;
    expect(Math.hypot(L[0], L[1], L[2])).toBeCloseTo(last[a], 4);
    expect(Math.abs(L[0] - built.structure.cell.lattice[0])).toBeGreaterThan(1e-4);
  });

  it('refuses bad options with a usage message', async () => {
    expect(await main(['md', '--potential', 'x.mtp'])).toBe(2); // no --structure
    // without --potential the shipped default runs
    const checkpoint = join(mkdtempSync(join(tmpdir(), 'lilab-md-')), 'c.json');
    expect(
      await main(['md', '--structure', 'beta-li3ps4', '--steps', '20', '--every', '10', '--checkpoint', checkpoint]),
    ).toBe(0);
    expect(await main(['md', '--structure', 'nowhere.xyz', '--potential', 'x.mtp'])).toBe(1);
    expect(await main(['md', '--structure', 'beta-li3ps4', '--kernel', 'fastest'])).toBe(2);
  });

  it('runs the same trajectory with the block-parallel kernel as with a thread per atom (float32 round-off)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-md-kernel-'));
    const rows: number[][][] = [];
    for (const kernel of ['specialised', 'block']) {
      const thermo = join(dir, `${kernel}.csv`);
      const md = ['md', '--structure', 'beta-li3ps4', '--supercell', '1x1x2', '--steps', '40', '--every', '20'];
      expect(await main([...md, '--thermostat', 'nve', '--kernel', kernel, '--thermo', thermo])).toBe(0);
      const lines = readFileSync(thermo, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => /^\d/.test(l));
      rows.push(lines.map((l) => l.split(',').map(Number)));
    }
    const [a, b] = rows;
    expect(b.map((r) => r[0])).toEqual(a.map((r) => r[0]));
    // potential and total energy (eV) of 64 atoms agree to float32 round-off after 40 steps
    for (let k = 0; k < a.length; k++) {
      expect(Math.abs(b[k][2] - a[k][2])).toBeLessThan(2e-3);
      expect(Math.abs(b[k][4] - a[k][4])).toBeLessThan(2e-3);
    }
  });

  it('refuses a hostile checkpoint by file and field before any step, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-md-'));
    const good = join(dir, 'good.json');
    expect(
      await main(['md', '--structure', 'beta-li3ps4', '--steps', '10', '--every', '10', '--checkpoint', good]),
    ).toBe(0);
    const text = readFileSync(good, 'utf8');
    const cp = JSON.parse(text);
    const cases: [string, string, RegExp][] = [
      ['cut.json', text.slice(0, text.length / 2), /cut\.json: not a readable checkpoint .*cut short/],
      [
        'short.json',
        JSON.stringify({ ...cp, velocities: cp.velocities.slice(3) }),
        /"velocities" has 93 numbers; a checkpoint of 32 atoms has 96/,
      ],
      [
        'nan.json',
        JSON.stringify({ ...cp, positions: [null, ...cp.positions.slice(1)] }),
        /"positions"\[0\] is null, not a finite number/,
      ],
      [
        'images.json',
        JSON.stringify({ ...cp, images: [0.5, ...cp.images.slice(1)] }),
        /"images"\[0\] is 0\.5, not a finite integer/,
      ],
      ['other.json', JSON.stringify({ ...cp, format: 'x' }), /not a LiLab checkpoint/],
    ];
    const errors: string[] = [];
    const log = console.error;
    console.error = (...a: unknown[]) => errors.push(a.join(' '));
    try {
      for (const [name, body, message] of cases) {
        const path = join(dir, name);
        writeFileSync(path, body);
        const out = join(dir, `${name}.extxyz`);
        errors.length = 0;
        expect(
          await main(['md', '--structure', 'beta-li3ps4', '--steps', '10', '--resume', path, '--out', out]),
        ).not.toBe(0);
        expect(errors.join('\n')).toMatch(message);
        expect(existsSync(out)).toBe(false);
      }
    } finally {
      console.error = log;
    }
  });

  it('prints progress with percent and ETA, and a performance summary at the end', async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => lines.push(a.join(' '));
    try {
      expect(await main(['md', '--structure', 'beta-li3ps4', '--steps', '40', '--every', '20'])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(lines.some((l) => /^step 20\/40 \(50\.0 %, ETA \d+:\d\d\)/.test(l))).toBe(true);
    const perf = lines.find((l) => l.startsWith('performance: 40 steps of 32 atoms'));
    expect(perf).toMatch(/ns\/day, [\d.]+ steps\/s, [\d.e+]+ atom-steps\/s, \d+ GPU dispatches per step/);
  });

  it('--checkpoint-every writes the state as it goes; SIGINT writes the last record and exits with 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-md-signal-'));
    const every = join(dir, 'every.json');
    expect(
      await main([
        'md',
        '--structure',
        'beta-li3ps4',
        '--steps',
        '40',
        '--every',
        '10',
        '--checkpoint',
        every,
        '--checkpoint-every',
        '20',
      ]),
    ).toBe(0);
    expect(parseCheckpoint(readFileSync(every, 'utf8'), every, 32, STATE_FLOATS).step).toBe(40);
    expect(
      await main(['md', '--structure', 'beta-li3ps4', '--steps', '40', '--every', '10', '--checkpoint-every', '15']),
    ).toBe(2);
    const cp = join(dir, 'cp.json');
    const bin = fileURLToPath(new URL('../bin/lilab.mjs', import.meta.url));
    const child = spawn(process.execPath, [
      bin,
      'md',
      '--structure',
      'beta-li3ps4',
      '--steps',
      '10000000',
      '--every',
      '10',
      '--checkpoint',
      cp,
    ]);
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const code = await new Promise<number | null>((resolve) => {
      let sent = false;
      child.stdout.on('data', (d: Buffer) => {
        if (!sent && /step \d+\/10000000/.test(d.toString())) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(err).toMatch(/SIGINT: stopped at step \d+, state written to/);
    expect(parseCheckpoint(readFileSync(cp, 'utf8'), cp, 32, STATE_FLOATS).step).toBeGreaterThan(0);
  }, 120_000);
});
