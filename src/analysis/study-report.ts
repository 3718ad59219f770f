/**
 * The study's figures and report from results.json and its MSD curves: per-axis MSD at 300 K per system, Arrhenius
 * per system, log D(300 K) against isotropy (the study's Fig. 2c), boundary energies, and the comparison with the
 * literature. The CLI writes them as files; the page's Study view draws the same SVG.
 */
import { KB } from '../model/units.ts';
import { AXIS_STYLE, type FigureSeries, OKABE_ITO, svgFigure } from './figures.ts';
import { LITERATURE, STUDY_AXES, type StudyEntry, type StudyResults } from './study.ts';

export interface MsdTable {
  lag_fs: number[];
  x: number[];
  y: number[];
  z: number[];
  total: number[];
}

const MSD_HEADER = 'lag_fs,msd_x_A2,msd_y_A2,msd_z_A2,msd_total_A2';

/** An MSD curve as CSV (A^2 against fs), at most `rows` rows spread over the lags. */
export function msdCsv(c: MsdTable, rows = 400): string {
  const n = c.lag_fs.length;
  const step = Math.max(1, Math.ceil(n / rows));
  const lines = [MSD_HEADER];
  for (let m = 0; m < n; m += step)
    lines.push([c.lag_fs[m], c.x[m], c.y[m], c.z[m], c.total[m]].map((v) => Number(v.toPrecision(7))).join(','));
  return `${lines.join('\n')}\n`;
}

/** Reads msdCsv's format back; `name` is for the error message. */
export function parseMsdCsv(text: string, name: string): MsdTable {
  const lines = text.trim().split(/\r?\n/);
  if (lines[0] !== MSD_HEADER) throw new Error(`${name}: line 1 is not '${MSD_HEADER}'`);
  const t: MsdTable = { lag_fs: [], x: [], y: [], z: [], total: [] };
  lines.slice(1).forEach((line, k) => {
    const v = line.split(',').map(Number);
    if (v.length !== 5 || !v.every(Number.isFinite)) throw new Error(`${name}: line ${k + 2} is not five numbers`);
    t.lag_fs.push(v[0]);
    t.x.push(v[1]);
    t.y.push(v[2]);
    t.z.push(v[3]);
    t.total.push(v[4]);
  });
  return t;
}

/** Per-axis MSD (A^2) against time (ps). */
export function msdFigure(title: string, c: MsdTable): string {
  return svgFigure({
    title,
    xLabel: 'time (ps)',
    yLabel: 'MSD (A^2)',
    series: STUDY_AXES.map((a) => ({
      label: `MSD ${AXIS_STYLE[a].label}`,
      color: AXIS_STYLE[a].color,
      dash: AXIS_STYLE[a].dash,
      points: c.lag_fs.map((t, m) => ({ x: t / 1000, y: c[a][m] })),
    })),
  });
}

/** D per axis (with +-1 sigma) against 1000/T, and the fits drawn out to 300 K. */
export function arrheniusFigure(e: StudyEntry): string {
  const a = e.arrhenius;
  const region = a?.region ?? (e.normal ? 'boundary' : 'all');
  const runs = e.runs.filter((r) => r.region === region);
  const series: FigureSeries[] = [];
  for (const axis of STUDY_AXES) {
    const st = AXIS_STYLE[axis];
    series.push({
      label: `D ${st.label}`,
      color: st.color,
      line: false,
      markers: true,
      points: runs
        .filter((r) => (r.D_cm2_s[axis] ?? 0) > 0)
        .map((r) => ({ x: 1000 / r.temperature_K, y: r.D_cm2_s[axis]!, yError: r.D_sigma_cm2_s[axis] ?? 0 })),
    });
    const ea = a?.Ea_eV[axis];
    const d300 = a?.D300_cm2_s[axis];
    if (a && ea != null && d300 != null && d300 > 0) {
      const xs = [1000 / 300, ...a.temperatures_K.map((t) => 1000 / t)];
      const line = [Math.min(...xs), Math.max(...xs)];
      series.push({
        label: `fit ${st.label}`,
        color: st.color,
        dash: st.dash.length ? st.dash : [4, 3],
        points: line.map((x) => ({ x, y: d300 * Math.exp((-ea / KB) * (x / 1000 - 1 / 300)) })),
      });
    }
  }
  return svgFigure({
    title: `${e.label}: Arrhenius (${region} Li, +-1 sigma)`,
    xLabel: '1000/T (1/K)',
    yLabel: 'D (cm^2/s)',
    yLog: true,
    series,
  });
}

const entries = (r: StudyResults): StudyEntry[] => [...(r.bulk ? [r.bulk] : []), ...r.boundaries];

/** log10 D(300 K) of each boundary's Li against its isotropy (D_normal / D_in-plane), tilts and twists apart. */
export function isotropyFigure(r: StudyResults): string {
  const kind = (id: string, label: string) =>
    /amorphous/.test(id) ? 'interface' : /twist/.test(label) ? 'twist' : 'tilt';
  const groups = ['tilt', 'twist', 'interface'] as const;
  const series: FigureSeries[] = groups.map((g, k) => ({
    label: g,
    color: OKABE_ITO[[1, 5, 6][k]],
    line: false,
    markers: true,
    points: r.boundaries
      .filter((b) => kind(b.id, b.label) === g && b.isotropy !== null && (b.arrhenius?.D300_cm2_s.total ?? 0) > 0)
      .map((b) => ({
        x: b.isotropy!,
        y: b.arrhenius!.D300_cm2_s.total!,
        yError: b.arrhenius!.D300_sigma_cm2_s.total ?? 0,
        label: b.id.replace(/^sigma/, 'S'),
      })),
  }));
  return svgFigure({
    title: 'D(300 K) of boundary Li against isotropy (+-1 sigma in D)',
    xLabel: 'isotropy D_normal / D_in-plane at 300 K',
    yLabel: 'D (cm^2/s)',
    yLog: true,
    series,
  });
}

/** Boundary energies (J/m^2), one marker per boundary. */
export function gbEnergyFigure(r: StudyResults): string {
  const withE = r.boundaries.filter((b) => b.gb_energy_J_m2 !== null);
  return svgFigure({
    title: 'Boundary energies (relaxed, against the bulk crystal)',
    xLabel: 'boundary (in the order of the table)',
    yLabel: 'E_GB (J/m^2)',
    series: [
      {
        label: 'E_GB',
        color: OKABE_ITO[5],
        line: false,
        markers: true,
        points: withE.map((b, k) => ({ x: k + 1, y: b.gb_energy_J_m2!, label: b.id.replace(/^sigma/, 'S') })),
      },
    ],
  });
}

type Comparison = (typeof LITERATURE)[number]['compare'];

/** LiLab's value for a published one, and whether they agree (a factor of 3 in D or sigma, 0.05 eV in Ea). */
function compareWith(r: StudyResults, c: Comparison): [string, string] {
  const factor = (
    v: number | null | undefined,
    [lo, hi]: readonly [number, number],
    unit: string,
  ): [string, string] => {
    if (v == null || !(v > 0)) return ['not measured', '-'];
    const text = `${v.toExponential(1)} ${unit}`;
    if (v >= lo / 3 && v <= hi * 3) return [text, 'agrees (within a factor of 3)'];
    return v > hi
      ? [text, `differs: ${(v / hi).toPrecision(2)} times higher`]
      : [text, `differs: ${(lo / v).toPrecision(2)} times lower`];
  };
  const bulk = r.bulk?.arrhenius;
  switch (c.kind) {
    case 'bulk-sigma':
      return factor(r.bulk?.sigma300_S_cm, c.range, 'S/cm');
    case 'boundary-sigma': {
      const s = r.boundaries.map((b) => b.sigma300_S_cm).filter((v): v is number => v !== null && v > 0);
      if (!s.length) return ['not measured', '-'];
      const [lo, hi] = [Math.min(...s), Math.max(...s)];
      const ok = s.filter((v) => v >= c.range[0] / 3 && v <= c.range[1] * 3).length;
      return [
        `${lo.toExponential(1)} to ${hi.toExponential(1)} S/cm`,
        `${ok} of ${s.length} boundaries within a factor of 3`,
      ];
    }
    case 'bulk-d':
      return factor(bulk?.D300_cm2_s.total, c.range, 'cm^2/s (300 K)');
    case 'bulk-ea': {
      const ea = bulk?.Ea_eV.total;
      if (ea == null) return ['not measured', '-'];
      const d = ea - c.value;
      return [
        `${ea.toFixed(2)} +- ${fix(bulk?.Ea_sigma_eV.total, 2)} eV`,
        Math.abs(d) <= 0.05
          ? 'agrees (within 0.05 eV)'
          : `differs: ${d > 0 ? 'higher' : 'lower'} by ${Math.abs(d).toFixed(2)} eV`,
      ];
    }
    case 'bulk-anisotropy': {
      const d = bulk?.D300_cm2_s;
      const v = d ? (['x', 'y', 'z'] as const).map((a) => d[a]).filter((x): x is number => x !== null && x > 0) : [];
      if (v.length < 3 || !d) return ['not measured', '-'];
      const slowest = (['x', 'y', 'z'] as const).reduce((a, b) => (d[a]! <= d[b]! ? a : b));
      const ratio = Math.max(...v) / Math.min(...v);
      return [
        `D300 x/y/z ${v.map((x) => x.toExponential(1)).join(' / ')}; slowest ${slowest}`,
        ratio > 2 ? `anisotropic (max/min ${ratio.toFixed(1)})` : `nearly isotropic (max/min ${ratio.toFixed(1)})`,
      ];
    }
  }
}

/**
 * Every figure of a study by name (the report's `figures/NAME.svg`), the MSD panels from `readCsv(path)` for each
 * entry's msd300 curves; a curve it cannot give (null) is left out and named in `missing`.
 */
export function studyFigures(
  r: StudyResults,
  readCsv: (path: string) => string | null,
): { figures: Record<string, string>; missing: string[] } {
  const figures: Record<string, string> = { isotropy: isotropyFigure(r), 'gb-energy': gbEnergyFigure(r) };
  const missing: string[] = [];
  for (const e of entries(r)) {
    figures[`arrhenius-${e.id}`] = arrheniusFigure(e);
    for (const m of e.msd300 ?? []) {
      const text = readCsv(m.msd_csv);
      if (text === null) {
        missing.push(m.msd_csv);
        continue;
      }
      figures[`msd300-${e.id}-${m.region}`] = msdFigure(
        `${e.label}: Li MSD at 300 K (${m.region} Li, ${m.ps} ps)`,
        parseMsdCsv(text, m.msd_csv),
      );
    }
  }
  return { figures, missing };
}

/** Checks that parsed JSON is a study's results.json (what the figures read), naming the file and key at fault. */
export function checkStudyResults(value: unknown, name: string): StudyResults {
  const r = value as Partial<StudyResults> | null;
  if (!r || typeof r !== 'object') throw new Error(`${name}: not a JSON object`);
  if (!Array.isArray(r.boundaries))
    throw new Error(`${name}: no "boundaries" array (is this a lilab study results.json?)`);
  if (!('bulk' in r)) throw new Error(`${name}: no "bulk" key`);
  for (const [k, e] of [...(r.bulk ? [r.bulk] : []), ...r.boundaries].entries()) {
    if (typeof e?.id !== 'string' || !Array.isArray(e.runs))
      throw new Error(`${name}: entry ${k + 1} has no "id" or "runs" array`);
  }
  return r as StudyResults;
}

const sci = (v: number | null | undefined, digits = 2) => (v == null ? '-' : v.toExponential(digits));
const fix = (v: number | null | undefined, digits = 3) => (v == null ? '-' : v.toFixed(digits));
const pm = (v: number | null | undefined, s: number | null | undefined, f: typeof sci) =>
  v == null ? '-' : `${f(v)} +- ${f(s ?? null)}`;

/** report.md: tables of every system and the figures (as files named by `figure(name)`). */
export function studyReportMarkdown(r: StudyResults, figure: (name: string) => string): string {
  const all = entries(r);
  const L: string[] = [
    '# Li diffusion at the grain boundaries of beta-Li3PS4',
    '',
    `LiLab ${r.lilab}, ${r.created}. \`${r.command}\``,
    '',
    `Potential: ${String(r.potential.file ?? '')} (SHA-256 ${String(r.potential.sha256 ?? '').slice(0, 16)}...). ` +
      'Settings: ' +
      Object.entries(r.settings)
        .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(',') : String(v)}`)
        .join('; ') +
      '.',
    '',
    'D per axis from the per-axis Li MSD by generalised least squares with the MSD covariance (1 sigma; ' +
      'docs/analysis.md); Arrhenius per axis weighted by those errors, extrapolated to 300 K; conductivity by ' +
      'Nernst-Einstein from D(300 K) of the headline Li (at the boundary, within 3 A of a plane, for bicrystals; all ' +
      'Li for the bulk) and the cell Li density, Haven ratio 1. Isotropy: D_normal / mean in-plane D at 300 K.',
    '',
    '## Results at 300 K',
    '',
    '| system | atoms | E_GB (J/m^2) | Ea total (eV) | D300 total (cm^2/s) | D300 x / y / z (cm^2/s) | isotropy | sigma300 (S/cm) |',
    '|---|---:|---:|---:|---:|---|---:|---:|',
  ];
  for (const e of all) {
    const a = e.arrhenius;
    const gb = 'gb_energy_J_m2' in e ? fix((e as { gb_energy_J_m2: number | null }).gb_energy_J_m2) : 'bulk';
    L.push(
      `| ${e.label} (\`${e.id}\`) | ${e.atoms} | ${gb} | ${pm(a?.Ea_eV.total, a?.Ea_sigma_eV.total, fix)} | ` +
        `${pm(a?.D300_cm2_s.total, a?.D300_sigma_cm2_s.total, sci)} | ` +
        `${(['x', 'y', 'z'] as const).map((x) => sci(a?.D300_cm2_s[x] ?? null, 1)).join(' / ')} | ` +
        `${pm(e.isotropy, e.isotropy_sigma, fix)} | ${pm(e.sigma300_S_cm, e.sigma300_sigma_S_cm, sci)} |`,
    );
  }
  L.push('', '## Runs', '', '| system | T (K) | ps | region | Li | D total (cm^2/s) | D x / y / z (cm^2/s) |');
  L.push('|---|---:|---:|---|---:|---:|---|');
  for (const e of all)
    for (const run of e.runs)
      L.push(
        `| \`${e.id}\` | ${run.temperature_K} | ${run.ps} | ${run.region} | ${run.atoms} | ` +
          `${pm(run.D_cm2_s.total, run.D_sigma_cm2_s.total, sci)} | ` +
          `${(['x', 'y', 'z'] as const).map((x) => pm(run.D_cm2_s[x], run.D_sigma_cm2_s[x], sci)).join(' / ')} |`,
      );
  const failures = all.flatMap((e) => (e.failures ?? []).map((f) => `- \`${e.id}\` ${f.temperature_K} K: ${f.error}`));
  if (failures.length) L.push('', '## Failed runs', '', ...failures);
  L.push('', '## Figures', '');
  L.push(`![log D(300 K) against isotropy](${figure('isotropy')})`, '');
  if (r.boundaries.some((b) => b.gb_energy_J_m2 !== null)) L.push(`![boundary energies](${figure('gb-energy')})`, '');
  for (const e of all) {
    L.push(`### ${e.label}`, '', `![Arrhenius ${e.id}](${figure(`arrhenius-${e.id}`)})`, '');
    for (const m of e.msd300 ?? []) L.push(`![MSD ${e.id} 300 K](${figure(`msd300-${e.id}-${m.region}`)})`, '');
  }
  L.push(
    '## Against the literature',
    '',
    '| quantity | published | LiLab | verdict | source |',
    '|---|---|---|---|---|',
  );
  for (const l of LITERATURE) {
    const [mine, verdict] = compareWith(r, l.compare);
    L.push(`| ${l.quantity} | ${l.value} | ${mine} | ${verdict} | ${l.source} |`);
  }
  L.push(
    '',
    'A value agrees when it lies within a factor of 3 of the published range (conductivity, D) or within 0.05 eV ' +
      '(activation energy). The conductivities rest on a Haven ratio of 1 and on an Arrhenius extrapolation from the ' +
      'run temperatures to 300 K, which assumes one mechanism throughout; short runs at high temperature overstate D ' +
      'where the MSD has not left its vibrational start, which flattens Ea.',
    '',
  );
  return L.join('\n');
}
