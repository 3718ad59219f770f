/**
 * Lines of a text read one at a time, with their 1-based numbers: the trajectory readers take them from a string or
 * from a file read in chunks (cli/files.ts), so a trajectory is parsed frame by frame and never held whole.
 */
export class LineCursor {
  private readonly it: Iterator<string>;
  private peeked: string | undefined;
  private hasPeeked = false;
  /** Number of the line last returned by next(). */
  line = 0;

  constructor(lines: Iterable<string>) {
    this.it = lines[Symbol.iterator]();
  }

  /** The next line without its line end (a trailing \r is dropped), or undefined at the end. */
  next(): string | undefined {
    let v: string | undefined;
    if (this.hasPeeked) {
      this.hasPeeked = false;
      v = this.peeked;
    } else {
      const r = this.it.next();
      v = r.done ? undefined : r.value;
    }
    if (v === undefined) return undefined;
    this.line++;
    return v.endsWith('\r') ? v.slice(0, -1) : v;
  }

  /** The line next() would return, without taking it. */
  peek(): string | undefined {
    if (!this.hasPeeked) {
      const r = this.it.next();
      this.peeked = r.done ? undefined : r.value;
      this.hasPeeked = true;
    }
    const v = this.peeked;
    return v?.endsWith('\r') ? v.slice(0, -1) : v;
  }

  /** Skips blank lines; false at the end of the text. */
  skipBlank(): boolean {
    for (;;) {
      const p = this.peek();
      if (p === undefined) return false;
      if (p.trim() !== '') return true;
      this.next();
    }
  }
}

/** The most atoms a frame may declare: a count above it is refused before anything is allocated for it. */
export const MAX_FRAME_ATOMS = 10_000_000;
