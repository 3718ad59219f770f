/**
 * Files into the lab: a potential (.mtp) or a structure (any format io/structure-files.ts reads), picked, dropped on
 * the view or named by the link. Each is read and checked before the lab changes; the Lab's loaders roll back if
 * the new run cannot start, so a bad file leaves the lab as it was and says why.
 */
import { readStructureText } from '../io/structure-files.ts';
import { potentialFromFile } from './default-potential.ts';
import { fetchFile } from './file-actions.ts';
import type { Lab } from './lab.ts';
import type { Link } from './link.ts';
import type { Report } from './messages.ts';
import type { StatusLine } from './status-line.ts';

export interface FileLoader {
  /** Loads the file; rejects with the reason. */
  load(file: File): Promise<void>;
  /** Loads the file; a failure goes to the message box. */
  loadFile(file: File): Promise<void>;
  /** Called after a potential file runs (the trainer forgets an active set that is not the file's). */
  onPotential: ((name: string) => Promise<void>) | null;
}

export function fileLoader(lab: Lab, status: StatusLine, report: Report): FileLoader {
  const loader: FileLoader = {
    onPotential: null,
    load: async (file) => {
      const text = await file.text();
      if (file.name.endsWith('.mtp')) {
        await lab.command(async () => {
          await lab.usePotential(potentialFromFile(text, file.name));
          status.potential(lab.potential, 'loaded');
          await loader.onPotential?.(file.name);
        });
      } else {
        await lab.command(() => lab.loadStructure(readStructureText(text, file.name), file.name));
      }
    },
    loadFile: (file) => loader.load(file).catch((e) => report((e as Error).message)),
  };
  return loader;
}

/** The link's files, one after the other, the potential first (the structure then runs with it). */
export async function loadLinkedFiles(link: Link, loader: FileLoader, report: Report): Promise<void> {
  for (const { kind, ref } of link.files) {
    try {
      await loader.load(await fetchFile(ref, kind === 'potential' ? '.mtp' : ''));
      report(`Loaded the ${kind} of the link: ${ref}`, 'info');
    } catch (e) {
      report(`The link's ${kind} (${ref}) was not loaded: ${(e as Error).message}`);
    }
  }
}

/** Files dropped on `el` are loaded. */
export function acceptDrops(el: HTMLElement, loader: FileLoader): void {
  el.addEventListener('dragover', (e) => e.preventDefault());
  el.addEventListener('drop', (e) => {
    e.preventDefault();
    const f = e.dataTransfer?.files[0];
    if (f) void loader.loadFile(f);
  });
}
