import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { nearest } from '../src/cli/command.ts';
import { main } from '../src/cli/main.ts';

/** Runs the CLI and returns its exit code and what it printed on each stream. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((s: string) => out.push(s));
  const error = vi.spyOn(console, 'error').mockImplementation((s: string) => err.push(s));
  try {
    return { code: await main(argv), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('the command line speaks plainly', () => {
  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(await run(['--version'])).toMatchObject({ code: 0, out: `lilab ${version}` });
  });

  it('a mistyped option or command names the nearest one; an unrelated one names none', async () => {
    const typo = await run(['md', '--temprature', '300']);
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/^lilab md: unknown option --temprature \(did you mean --temperature\?\)/);
    const far = await run(['md', '--xyzzy']);
    expect(far.err).toMatch(/unknown option --xyzzy\n/);
    const cmd = await run(['buidl']);
    expect(cmd.code).toBe(2);
    expect(cmd.err).toMatch(/unknown command 'buidl' \(did you mean 'build'\?\)/);
    expect(nearest('gird', ['grid', 'gaps', 'gb'])).toBe('grid');
    expect(nearest('potential', ['pressure', 'seed'])).toBeNull();
  });
});
