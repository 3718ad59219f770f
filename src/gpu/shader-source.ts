/**
 * WGSL sources made of several files. WGSL has no include, so a kernel's file is compiled after the shared ones it
 * needs (shaders/common/cell.wgsl first); `ShaderSource` keeps where each file starts, so that a compile error names
 * the file and the line in it, not a line of the concatenation.
 */
import cellWgsl from '../../shaders/common/cell.wgsl?raw';

export interface ShaderSource {
  code: string;
  /** The file and line (1-based) of line `line` of `code`. */
  locate(line: number): { file: string; line: number };
}

/** The files in order, each as [name, text]. */
export function shaderFrom(...parts: [file: string, text: string][]): ShaderSource {
  const starts: { file: string; first: number; lines: number }[] = [];
  let first = 1;
  for (const [file, text] of parts) {
    const lines = text.split('\n').length;
    starts.push({ file, first, lines });
    first += lines;
  }
  return {
    code: parts.map(([, text]) => text).join('\n'),
    locate(line) {
      const part = starts.find((p) => line >= p.first && line < p.first + p.lines) ?? starts[starts.length - 1];
      return { file: part.file, line: line - part.first + 1 };
    },
  };
}

/** A kernel family's file after shaders/common/cell.wgsl (and any other shared files given before it). */
export function withCellCommon(...parts: [file: string, text: string][]): ShaderSource {
  return shaderFrom(['common/cell.wgsl', cellWgsl], ...parts);
}
