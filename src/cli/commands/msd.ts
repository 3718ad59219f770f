import { nernstEinstein } from '../../analysis/conductivity.ts';
import { FIT_WINDOW, isotropy } from '../../analysis/diffusion.ts';
import { MsdAccumulator } from '../../analysis/msd-accumulator.ts';
import { Unwrapper } from '../../analysis/unwrap.ts';
import { ParseError } from '../../io/errors.ts';
import { trajectoryFramesOf } from '../../io/structure-files.ts';
import { volume } from '../../model/cell.ts';
import { element, LI_P_S } from '../../model/species.ts';
import type { Structure } from '../../model/structure.ts';
import { A2_PER_FS_TO_CM2_PER_S } from '../../model/units.ts';
import { type Command, numberOption, stringOption, UsageError } from '../command.ts';
import { fileLines, writeText } from '../files.ts';

const fmtD = (v: number, e: number) =>
  `${(v * A2_PER_FS_TO_CM2_PER_S).toExponential(3)} +- ${(e * A2_PER_FS_TO_CM2_PER_S).toExponential(2)}`;

export const msdCommand: Command = {
  name: 'msd',
  summary: 'per-axis mean-squared displacement of one species, diffusion coefficients with uncertainties, conductivity',
  usage:
    'TRAJ.(extxyz|dump|lammpstrj)|XDATCAR [--species Li] [--region gb:3.0|bulk:3.0] [--axis-normal z] [--fit-start FS] [--fit-end FS] [--frame-interval FS] [--types Li,P,S] [--memory-mb 1024] [--out msd.csv]',
  help: [
    'Frames: extended XYZ with Time=fs on each comment line (lilab md writes them, positions unwrapped), or without it',
    'and --frame-interval FS; LAMMPS text dumps (id type x y z or xu yu zu or xs ys zs, image flags used when given;',
    'types named by --types, default the potential order Li,P,S) and VASP XDATCAR, both with --frame-interval FS.',
    'Every frame the same atoms in the same order. Wrapped frames are unwrapped here (atoms must move less than half',
    'a cell between frames). The file is read frame by frame; frames are kept for the exact MSD while they fit in',
    '--memory-mb (default 1024), beyond it they stream through a multiple-tau correlator (said on stderr).',
    'MSD per axis averaged over every time origin (FFT), centre-of-mass drift removed. D_a = slope/2 per axis,',
    'D = slope/6 for the total, fitted in [--fit-start, --fit-end] fs (default: 10-50 % of the run) by generalised',
    'least squares with the covariance of the MSD at those lags (docs/analysis.md); +-1 sigma covers the truth 68 %',
    'of the time for a random walk with vibration.',
    '--region gb:W keeps atoms within W A of a boundary plane (per-atom gb_distance column), bulk:W the others,',
    'classified in the first frame. --axis-normal names the boundary normal for the isotropy D_normal/D_in-plane.',
    'Conductivity by Nernst-Einstein with the Haven ratio taken as 1 (see docs/analysis.md). Units: A, fs, cm^2/s.',
    '--json prints the results as one JSON object instead (D and its 1-sigma per axis in cm^2/s; null where a',
    'quantity is unknown, e.g. the conductivity without a temperature).',
  ].join('\n'),
  options: {
    species: { type: 'string', default: 'Li' },
    region: { type: 'string' },
    'axis-normal': { type: 'string' },
    'fit-start': { type: 'string' },
    'fit-end': { type: 'string' },
    temperature: { type: 'string' },
    out: { type: 'string' },
    'frame-interval': { type: 'string' },
    types: { type: 'string' },
    'memory-mb': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args) {
    const [path] = args.positionals;
    if (!path || args.positionals.length !== 1) throw new UsageError('expected one trajectory file');
    const interval = stringOption(args, 'frame-interval');
    const fixedDt = interval !== undefined ? numberOption(args, 'frame-interval', 1) : undefined;
    if (fixedDt !== undefined && !(fixedDt > 0)) throw new UsageError('--frame-interval must be positive (fs)');
    const typeSpecies = (stringOption(args, 'types') ?? LI_P_S.join(',')).split(',');
    const budget = numberOption(args, 'memory-mb', 1024) * 2 ** 20;
    const speciesName = stringOption(args, 'species') ?? 'Li';
    const region = stringOption(args, 'region');
    const regionMatch = region ? /^(gb|bulk):([\d.]+)$/.exec(region) : null;
    if (region && !regionMatch) throw new UsageError(`--region expects gb:W or bulk:W (A), got '${region}'`);
    let s0: Structure | null = null;
    let atoms: number[] = [];
    let acc: MsdAccumulator | null = null;
    let unwrapper: Unwrapper | null = null;
    let t0 = 0;
    let dt = 0;
    let lastTime = 0;
    const temps: number[] = [];
    let count = 0;
    try {
      for (const f of trajectoryFramesOf(fileLines(path), path, { species: typeSpecies })) {
        count++;
        const s = f.structure;
        if (!s0) {
          s0 = s;
          const t = s0.species.indexOf(speciesName);
          if (t < 0) throw new UsageError(`${path} has no ${speciesName} (species: ${s0.species.join(', ')})`);
          atoms = Array.from(s0.types.keys()).filter((i) => s0!.types[i] === t);
          if (regionMatch) {
            const dist = f.arrays.gb_distance;
            if (!dist)
              throw new UsageError(
                `${path} has no per-atom gb_distance column (write the structure with the grain-boundary builder)`,
              );
            const w = Number(regionMatch[2]);
            atoms = atoms.filter((i) => (regionMatch[1] === 'gb' ? Math.abs(dist[i]) < w : Math.abs(dist[i]) >= w));
            if (atoms.length === 0) throw new UsageError(`no ${speciesName} atoms in region ${region}`);
          }
          acc = new MsdAccumulator(
            atoms,
            Array.from(s0.types, (k) => element(s0!.species[k]).mass),
            budget,
          );
          if (!f.unwrapped) unwrapper = new Unwrapper(s0.cell);
        } else {
          // the same atoms in every frame: an MSD over frames whose atoms change is meaningless (it printed NaN)
          const same =
            s.types.length === s0.types.length && s.types.every((t, i) => s.species[t] === s0!.species[s0!.types[i]]);
          if (!same)
            throw new UsageError(
              `${path}: frame ${count} has ${s.types.length} atoms or another species order than frame 1 (${s0.types.length})`,
            );
        }
        // no time in the file: the interval must be given, not guessed
        if (fixedDt === undefined && f.time === undefined)
          throw new UsageError(`${path}: frame ${count} has no Time= (fs); give --frame-interval FS`);
        const time = fixedDt !== undefined ? (count - 1) * fixedDt : f.time!;
        if (count === 1) t0 = time;
        else if (count === 2) {
          dt = time - t0;
          if (!(dt > 0)) throw new UsageError(`${path}: frames need increasing Time= values (fs)`);
        } else if (Math.abs(time - lastTime - dt) > 1e-6 * dt)
          throw new UsageError(`${path}: frames are not evenly spaced in time (frame ${count})`);
        lastTime = time;
        if (f.temperature !== undefined && Number.isFinite(f.temperature)) temps.push(f.temperature);
        acc!.push(unwrapper ? unwrapper.next(s.positions, s.cell) : s.positions);
      }
    } catch (err) {
      if (err instanceof ParseError) throw new UsageError(err.message);
      throw err;
    }
    if (count < 10 || !s0 || !acc) throw new UsageError(`${path} has ${count} frames; the MSD needs at least 10`);
    const span = (count - 1) * dt;
    const start = numberOption(args, 'fit-start', FIT_WINDOW.from * span);
    const end = numberOption(args, 'fit-end', FIT_WINDOW.to * span);
    let result: ReturnType<MsdAccumulator['result']>;
    try {
      result = acc.result(dt, start, end);
    } catch (err) {
      throw new UsageError(`${path}: ${(err as Error).message}`);
    }
    const r = { ...result.d, curves: result.curves };
    if (result.streamed)
      console.error(
        `note: ${count} frames of ${atoms.length} atoms exceed --memory-mb ${budget / 2 ** 20}: the MSD streams through ` +
          'a multiple-tau correlator (lags spaced 16^k frames, fewer origins at long lags)',
      );
    const temperature = numberOption(
      args,
      'temperature',
      temps.length ? temps.reduce((a, b) => a + b, 0) / temps.length : Number.NaN,
    );
    const vol = volume(s0.cell);
    const sigma = Number.isFinite(temperature)
      ? nernstEinstein(r.total.value, atoms.length, vol, temperature)
      : Number.NaN;
    const normal = stringOption(args, 'axis-normal') as 'x' | 'y' | 'z' | undefined;
    if (normal && !['x', 'y', 'z'].includes(normal)) throw new UsageError('--axis-normal must be x, y or z');
    const iso = isotropy({ x: r.x.value, y: r.y.value, z: r.z.value }, normal ?? 'z');
    const summary: [string, string][] = [
      ['trajectory', path],
      ['species', speciesName],
      ['region', region ?? 'all'],
      ['atoms', String(atoms.length)],
      ['frames', String(count)],
      ['msd', result.streamed ? 'multiple-tau (memory budget)' : 'every origin'],
      ['frame_interval_fs', String(dt)],
      ['fit_window_fs', `${start} ${end}`],
      ['temperature_K', String(temperature)],
      ['D_x_cm2_s', `${r.x.value * A2_PER_FS_TO_CM2_PER_S} ${r.x.error * A2_PER_FS_TO_CM2_PER_S}`],
      ['D_y_cm2_s', `${r.y.value * A2_PER_FS_TO_CM2_PER_S} ${r.y.error * A2_PER_FS_TO_CM2_PER_S}`],
      ['D_z_cm2_s', `${r.z.value * A2_PER_FS_TO_CM2_PER_S} ${r.z.error * A2_PER_FS_TO_CM2_PER_S}`],
      ['D_total_cm2_s', `${r.total.value * A2_PER_FS_TO_CM2_PER_S} ${r.total.error * A2_PER_FS_TO_CM2_PER_S}`],
      ['anisotropy_max_over_min', String(iso.anisotropy)],
      ...(normal ? ([['isotropy_normal_over_inplane', String(iso.isotropy)]] as [string, string][]) : []),
      ['conductivity_S_cm_nernst_einstein', String(sigma)],
    ];
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    const perAxis = (key: 'value' | 'error') =>
      Object.fromEntries(
        (['x', 'y', 'z', 'total'] as const).map((a) => [a, finite(r[a][key] * A2_PER_FS_TO_CM2_PER_S)]),
      );
    if (args.values.json) {
      const json = {
        trajectory: path,
        species: speciesName,
        region: region ?? 'all',
        atoms: atoms.length,
        frames: count,
        streamed: result.streamed,
        frame_interval_fs: dt,
        fit_window_fs: [start, end],
        estimator: 'gls-msd-covariance',
        temperature_K: finite(temperature),
        D_cm2_s: perAxis('value'),
        D_sigma_cm2_s: perAxis('error'),
        anisotropy_max_over_min: finite(iso.anisotropy),
        isotropy_normal_over_inplane: normal ? finite(iso.isotropy) : null,
        sigma_S_cm_nernst_einstein: finite(sigma),
      };
      console.log(JSON.stringify(json, null, 2));
    } else printSummary();
    function printSummary() {
      console.log(
        `${speciesName} atoms: ${atoms.length}${region ? ` (region ${region})` : ''}; ${count} frames every ${dt} fs`,
      );
      console.log(
        `fit window ${start.toFixed(0)}-${end.toFixed(0)} fs (generalised least squares); D in cm^2/s (+- 1 sigma):`,
      );
      console.log(`  D_x     ${fmtD(r.x.value, r.x.error)}`);
      console.log(`  D_y     ${fmtD(r.y.value, r.y.error)}`);
      console.log(`  D_z     ${fmtD(r.z.value, r.z.error)}`);
      console.log(`  D       ${fmtD(r.total.value, r.total.error)}`);
      console.log(
        `  anisotropy (max/min) ${iso.anisotropy.toFixed(3)}${normal ? `; isotropy D_${normal}/D_in-plane ${iso.isotropy.toFixed(3)}` : ''}`,
      );
      if (Number.isFinite(sigma))
        console.log(
          `  sigma (Nernst-Einstein, Haven ratio 1) at ${temperature.toFixed(0)} K: ${sigma.toExponential(3)} S/cm`,
        );
    }
    const out = stringOption(args, 'out');
    if (out) {
      const c = r.curves;
      const rows = summary.map(([k, v]) => `# ${k}=${v}`);
      rows.push('lag_fs,msd_x_A2,msd_y_A2,msd_z_A2,msd_total_A2');
      for (let m = 0; m < c.lag.length; m++) rows.push(`${c.lag[m]},${c.x[m]},${c.y[m]},${c.z[m]},${c.total[m]}`);
      writeText(out, `${rows.join('\n')}\n`);
      // stdout stays one JSON object with --json
      (args.values.json ? console.error : console.log)(`MSD curves -> ${out}`);
    }
    return 0;
  },
};
