import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TOUR_STEPS } from '../src/ui/tour.ts';

describe('the guided tour', () => {
  it('has the same steps, in the same order, as docs/tutorial.md', () => {
    const headings = readFileSync('docs/tutorial.md', 'utf8')
      .split('\n')
      .filter((l) => /^## \d+\. /.test(l))
      .map((l) => l.replace(/^## \d+\. /, ''));
    expect(headings).toEqual(TOUR_STEPS.map((s) => s.title));
  });
});
