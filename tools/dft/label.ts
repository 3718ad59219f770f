/**
 * Labels configurations with CP2K, resumably: each finished configuration is appended to the dataset at once, a
 * restart skips what is done, and a failed SCF is recorded (data/dft-failed.tsv) and not retried. A pending frame with
 * the same atoms at the same positions as a labelled one (under another id) is skipped and named.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, numberOption, stringOption, UsageError } from '../../src/cli/command.ts';
import { type ExtxyzFrame, formatExtxyzFrame, parseExtxyz } from '../../src/io/extxyz.ts';
import { volume } from '../../src/model/cell.ts';
import {
  cp2kInput,
  DEFAULT_SCF,
  parseCp2kOutput,
  plusStressFromCp2k,
  RETRY_SCF,
  type ScfDriver,
  SETTINGS,
  SMEARED_SCF,
  scfStepCount,
} from './cp2k.ts';
import { configurationKey } from './same-configuration.ts';

/** Short stable key of the species sequence: restart wavefunctions are only valid for the same atoms in the same order. */
function atomSequenceKey(species: readonly string[], types: ArrayLike<number>): string {
  let h = 2166136261;
  for (const t of Array.from(types, (t) => species[t]).join(',')) h = Math.imul(h ^ t.charCodeAt(0), 16777619) >>> 0;
  return h.toString(16);
}

/** CP2K's version, or a clear stop when it is not installed (nothing is labelled or recorded as failed then). */
export function cp2kVersion(): string {
  try {
    return execFileSync('cp2k.psmp', ['--version'], { encoding: 'utf8' }).match(/CP2K version (\S+)/)?.[1] ?? 'unknown';
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found on PATH' : String(err);
    throw new Error(`cp2k.psmp ${reason}; install it first (Debian: apt-get install -y cp2k cp2k-data)`);
  }
}

/**
 * Takes the work directory for this process. Two labellers on one directory write the same input, output and restart
 * file names and spoil each other's runs, so a second one stops; a lock left by a process that no longer runs is taken
 * over. Returns the function that releases the lock.
 */
export function lockWorkDirectory(work: string): () => void {
  const lock = join(work, 'label.lock');
  for (;;) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && processRuns(pid))
        throw new Error(`${lock}: another labeller (pid ${pid}) works in ${work}; give each labeller its own --work`);
      rmSync(lock, { force: true });
    }
  }
  const release = () => rmSync(lock, { force: true });
  process.once('exit', release);
  return release;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists under another user
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const labelCommand: Command = {
  name: 'label',
  summary: 'label pending configurations with CP2K (resumable: appended to the dataset one by one, failures recorded)',
  usage:
    'PENDING.extxyz [MORE.extxyz ...] [--dataset data/li3ps4-dft.extxyz] [--failed data/dft-failed.tsv] [--np 2] [--work /tmp/lilab-dft] [--limit N] [--order interleave|file] [--prefer TEXT] [--retry-failed] [--minimizer diis|cg|diag] [--skip REGEX]',
  help: [
    'CP2K settings: tools/dft/cp2k.ts (PBE-D3(BJ), DZVP-MOLOPT-SR-GTH, Gamma). --minimizer diis (default: OT with DIIS,',
    'one retry with CG from where it stalled), cg (CG at once), diag (diagonalisation with Fermi-Dirac smearing at',
    '300 K, for cells OT cannot converge). --order interleave takes one of each kind in turn so a partial run covers',
    'every kind; --prefer TEXT puts kinds whose id contains it first; --skip REGEX leaves matching ids for later.',
  ].join('\n'),
  options: {
    dataset: { type: 'string', default: 'data/li3ps4-dft.extxyz' },
    failed: { type: 'string', default: 'data/dft-failed.tsv' },
    np: { type: 'string', default: '2' },
    work: { type: 'string', default: '/tmp/lilab-dft' },
    limit: { type: 'string' },
    order: { type: 'string', default: 'interleave' },
    prefer: { type: 'string' },
    'retry-failed': { type: 'boolean' },
    minimizer: { type: 'string', default: 'diis' },
    skip: { type: 'string' },
  },
  async run(args) {
    // every positional argument is a pending file; their configurations are interleaved as one list
    const pendingPaths = args.positionals;
    if (pendingPaths.length === 0) throw new UsageError('expected PENDING.extxyz [MORE.extxyz ...]');
    const datasetPath = stringOption(args, 'dataset')!;
    const failedPath = stringOption(args, 'failed')!;
    const np = stringOption(args, 'np')!;
    const work = stringOption(args, 'work')!;
    const limit = numberOption(args, 'limit', Number.POSITIVE_INFINITY);
    const order = stringOption(args, 'order')!;
    if (order !== 'interleave' && order !== 'file')
      throw new UsageError(`--order ${order}: expected interleave or file`);
    // kinds whose id contains this go first (e.g. --prefer rattle: forces matter more than strains for a first fit)
    const prefer = stringOption(args, 'prefer') ?? '';
    // --minimizer cg: every configuration straight with the CG driver (slabs: DIIS reaches ~6e-6 on them and then
    // diverges, tens of Ha in a few steps), so the one retry is not spent on a run known to fail
    const minimizer = stringOption(args, 'minimizer')!.toLowerCase();
    if (!['diis', 'cg', 'diag'].includes(minimizer))
      throw new UsageError(`--minimizer ${minimizer}: expected diis, cg or diag`);
    const cgFirst = minimizer === 'cg';
    // --minimizer diag: diagonalisation with Fermi-Dirac smearing at 300 K for every configuration (cp2k.ts SMEARED_SCF),
    // for cells on which OT fails with both minimisers
    const smeared = minimizer === 'diag';
    mkdirSync(work, { recursive: true });
    const releaseWork = lockWorkDirectory(work);

    const done = new Set<string>();
    /** configurationKey -> id of the labelled configuration, so that a frame sampled twice is labelled once */
    const labelledGeometry = new Map<string, string>();
    if (existsSync(datasetPath))
      for (const f of parseExtxyz(readFileSync(datasetPath, 'utf8'), datasetPath)) {
        done.add(f.info.config_id);
        labelledGeometry.set(configurationKey(f.structure), f.info.config_id);
      }
    // --retry-failed: configurations recorded as failed get one more run, straight with the CG driver, from the
    // wavefunction their last run left (a deliberate, logged retry; never automatic)
    const retryFailed = Boolean(args.values['retry-failed']);
    const failedIds = new Set<string>();
    if (existsSync(failedPath))
      for (const l of readFileSync(failedPath, 'utf8').split('\n').slice(1)) if (l) failedIds.add(l.split('\t')[0]);
    if (!retryFailed) for (const id of failedIds) done.add(id);

    /** Rewrites the failed list without `id`, or with `id`'s reason replaced. */
    function setFailed(id: string, reason: string | null): void {
      const lines = readFileSync(failedPath, 'utf8')
        .split('\n')
        .filter((l) => l && l.split('\t')[0] !== id);
      if (reason) lines.push(`${id}\t${reason}`);
      writeFileSync(failedPath, `${lines.join('\n')}\n`);
    }
    // --skip REGEX: configurations whose id matches wait for a later run (not failed, not labelled; e.g. a kind whose
    // SCF is slow, left until the quick ones are done)
    const skip = stringOption(args, 'skip') ?? '';
    let pending = pendingPaths
      .flatMap((p) => parseExtxyz(readFileSync(p, 'utf8'), p))
      .filter((f) => !done.has(f.info.config_id) && !(skip && new RegExp(skip).test(f.info.config_id)))
      .filter((f) => {
        const same = labelledGeometry.get(configurationKey(f.structure));
        if (same) console.log(`${f.info.config_id}: the same configuration as ${same}, labelled already; skipped`);
        return !same;
      });
    if (order === 'interleave') {
      // round-robin over kinds (the id without its two-digit counter) so a partial run covers every kind
      const groups = new Map<string, ExtxyzFrame[]>();
      for (const f of pending) {
        const kind = f.info.config_id.replace(/-\d{2}$/, '');
        groups.set(kind, [...(groups.get(kind) ?? []), f]);
      }
      const kinds = [...groups.keys()];
      const lists = [
        ...kinds.filter((k) => prefer && k.includes(prefer)),
        ...kinds.filter((k) => !prefer || !k.includes(prefer)),
      ].map((k) => groups.get(k)!);
      pending = [];
      for (let k = 0; lists.some((l) => l.length > k); k++) for (const l of lists) if (l[k]) pending.push(l[k]);
    }
    const version = cp2kVersion();
    console.log(`${done.size} done or failed; ${pending.length} to label with CP2K ${version} on ${np} ranks`);
    if (!existsSync(failedPath)) writeFileSync(failedPath, 'config_id\treason\n');

    let count = 0;
    for (const frame of pending) {
      if (count++ >= limit) break;
      const id = frame.info.config_id;
      const s = frame.structure;
      const inp = join(work, `${id}.inp`);
      const out = join(work, `${id}.out`);
      // a converged wavefunction of the same atom sequence is a far better start than atomic densities
      const guess = join(work, `guess-${s.types.length}-${atomSequenceKey(s.species, s.types)}.wfn`);
      const wfn = join(work, `${id}-RESTART.wfn`);
      const runCp2k = (scf: ScfDriver) => {
        writeFileSync(inp, cp2kInput(s, id, scf));
        rmSync(out, { force: true }); // so that an output read below is this run's
        const run = spawnSync('mpirun', ['--allow-run-as-root', '-np', np, 'cp2k.psmp', '-i', inp, '-o', out], {
          cwd: work,
          env: { ...process.env, OMP_NUM_THREADS: '1' },
          encoding: 'utf8',
        });
        const text = existsSync(out) ? readFileSync(out, 'utf8') : '';
        // CP2K stops with an error when the SCF does not converge: that is a result (retry or record), not a crash
        const unconverged = /SCF run NOT converged|outer SCF loop FAILED to converge/i.test(text);
        if (unconverged) return { converged: false as const, steps: scfStepCount(text) };
        if (run.status !== 0) throw new Error(`cp2k exited with ${run.status}: ${(run.stderr ?? '').slice(-300)}`);
        const r = parseCp2kOutput(text, s.types.length);
        return r.scfConverged
          ? { converged: true as const, steps: r.scfSteps, r }
          : { converged: false as const, steps: r.scfSteps };
      };
      const t0 = Date.now();
      try {
        const retrying = failedIds.has(id);
        if (retrying && existsSync(wfn)) copyFileSync(wfn, `${wfn}.diis`);
        const start = existsSync(guess) ? guess : undefined;
        // a retry goes on from the failed run's wavefunction with CG; with smearing it starts afresh (other occupations)
        let run =
          retrying && !smeared
            ? runCp2k({ ...RETRY_SCF, restartWfn: existsSync(`${wfn}.diis`) ? `${wfn}.diis` : guess })
            : runCp2k({ ...(smeared ? SMEARED_SCF : cgFirst ? RETRY_SCF : DEFAULT_SCF), restartWfn: start });
        let steps = run.steps;
        if (!run.converged && !retrying && !cgFirst && !smeared && existsSync(wfn)) {
          // one retry, with the CG minimiser from where the stalled run stopped (never more: failures are recorded)
          console.log(`${id}: SCF not converged in ${steps} steps with DIIS; retrying with CG`);
          copyFileSync(wfn, `${wfn}.diis`);
          run = runCp2k({ ...RETRY_SCF, restartWfn: `${wfn}.diis` });
          steps += run.steps;
        }
        const seconds = (Date.now() - t0) / 1000;
        if (!run.converged)
          throw new Error(
            `SCF not converged (${steps} steps, ${smeared ? 'diagonalisation, FD 300 K' : cgFirst ? 'CG' : 'DIIS then CG'})`,
          );
        const r = run.r;
        const virial = plusStressFromCp2k(r.stressGPa, volume(s.cell));
        const labelled = formatExtxyzFrame(
          s,
          {
            config_id: id,
            source: frame.info.source ?? '',
            energy: r.energy,
            virial: Array.from(virial, (v) => v.toPrecision(12)).join(' '),
            dft: `${SETTINGS.functional}-D3(BJ)/${SETTINGS.basis}/${SETTINGS.cutoffRy}Ry/rel${SETTINGS.relCutoffRy}/Gamma/scf${SETTINGS.epsScf}${smeared ? '/FD300K' : ''}`,
            cp2k: r.version,
            scf_steps: steps,
            seconds: Math.round(seconds),
          },
          // a neighbourhood cell keeps the mark of the atom it was cut around (neighbourhoods.ts)
          { forces: r.forces, ...(frame.arrays.selected ? { selected: frame.arrays.selected } : {}) },
        );
        appendFileSync(datasetPath, labelled);
        if (retrying) setFailed(id, null);
        if (existsSync(wfn)) copyFileSync(wfn, guess);
        console.log(`${id}: E = ${r.energy.toFixed(5)} eV, ${steps} SCF steps, ${seconds.toFixed(0)} s`);
      } catch (err) {
        const reason = (err as Error).message.replace(/\s+/g, ' ');
        if (failedIds.has(id)) setFailed(id, `${reason} (after --retry-failed)`);
        else appendFileSync(failedPath, `${id}\t${reason}\n`);
        console.log(`${id}: FAILED (${(err as Error).message})`);
      }
    }
    releaseWork();
    return 0;
  },
};
