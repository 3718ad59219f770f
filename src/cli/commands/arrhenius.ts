import { fitArrhenius } from '../../analysis/arrhenius.ts';
import { type Command, numberOption, UsageError } from '../command.ts';
import { readText } from '../files.ts';

/** Reads `# key=value` lines at the top of an `lilab msd --out` CSV. */
export function readMsdSummary(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('# ')) break;
    const k = line.indexOf('=');
    if (k > 0) out[line.slice(2, k)] = line.slice(k + 1);
  }
  if (!out.D_total_cm2_s) throw new UsageError(`${file} is not an 'lilab msd --out' file (no D_total_cm2_s line)`);
  return out;
}

export const arrheniusCommand: Command = {
  name: 'arrhenius',
  summary: 'Arrhenius fit of D over runs at several temperatures: activation energy and D, sigma at 300 K',
  usage: 'RUN1.csv RUN2.csv [...] [--at 300] [--axis total|x|y|z] [--json]',
  help: [
    'Inputs are `lilab msd --out` files (each carries its temperature and D with uncertainty).',
    'Fits ln D = ln D0 - Ea/(kB T), weighted by the uncertainties, and extrapolates to --at K (default 300).',
    '--json prints one JSON object instead: the runs, Ea and its 1 sigma (eV), D at --at and its 1 sigma (cm^2/s;',
    'the error is symmetric in ln D, so the sigma given is D (e^s - 1) and the factor e^s is given too).',
  ].join('\n'),
  options: {
    at: { type: 'string', default: '300' },
    axis: { type: 'string', default: 'total' },
    json: { type: 'boolean' },
  },
  async run(args) {
    if (args.positionals.length < 2) throw new UsageError('expected two or more msd CSV files');
    const axis = String(args.values.axis ?? 'total');
    if (!['total', 'x', 'y', 'z'].includes(axis)) throw new UsageError('--axis must be total, x, y or z');
    const points = args.positionals.map((f) => {
      const s = readMsdSummary(readText(f), f);
      const [d, e] = s[`D_${axis}_cm2_s`].split(' ').map(Number);
      const temperature = Number(s.temperature_K);
      if (!Number.isFinite(temperature)) throw new UsageError(`${f} has no temperature (run msd with --temperature)`);
      return { temperature, d, dError: e, file: f };
    });
    const fit = fitArrhenius(points);
    const at = numberOption(args, 'at', 300);
    const x = fit.extrapolate(at);
    if (args.values.json) {
      const finite = (v: number) => (Number.isFinite(v) ? v : null);
      const result = {
        axis,
        runs: points.map((p) => ({
          file: p.file,
          temperature_K: p.temperature,
          D_cm2_s: p.d,
          D_sigma_cm2_s: p.dError,
        })),
        Ea_eV: finite(fit.activationEnergy),
        Ea_sigma_eV: finite(fit.activationEnergyError),
        at_K: at,
        D_cm2_s: finite(x.d),
        D_sigma_cm2_s: finite(x.d * (Math.exp(x.logError) - 1)),
        D_factor_1sigma: finite(Math.exp(x.logError)),
      };
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    for (const p of points)
      console.log(
        `${p.temperature.toFixed(0).padStart(6)} K  D_${axis} = ${p.d.toExponential(3)} +- ${p.dError.toExponential(2)} cm^2/s  (${p.file})`,
      );
    console.log(`Ea = ${fit.activationEnergy.toFixed(4)} +- ${fit.activationEnergyError.toFixed(4)} eV`);
    console.log(`D_${axis}(${at} K) = ${x.d.toExponential(3)} cm^2/s (1 sigma: x/ ${Math.exp(x.logError).toFixed(2)})`);
    return 0;
  },
};
