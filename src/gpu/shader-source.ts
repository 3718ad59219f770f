/**
 * WGSL sources with the shared declarations they need. WGSL has no include, so `withCommon` prepends
 * shaders/common/cell.wgsl. Compile errors then count lines from the start of cell.wgsl: `COMMON_LINES` says how many
 * lines to subtract to find the line in the kernel's own file.
 */
import cellWgsl from '../../shaders/common/cell.wgsl?raw';

export const COMMON_LINES = cellWgsl.split('\n').length;

export function withCellCommon(source: string): string {
  return `${cellWgsl}\n${source}`;
}
