/**
 * Keyboard shortcuts of the lab: space plays or pauses, r restarts the run, 1/2/3 look along a, b and the normal, o
 * switches between perspective and orthographic projection, Escape clears the picked atoms.
 * Keys typed into a field or a menu of the panel are left alone; after a click on a checkbox or button they still work.
 */
export interface ShortcutActions {
  togglePlay(): void;
  reset(): void;
  view(axis: 0 | 1 | 2): void;
  toggleOrthographic(): void;
  clearPick(): void;
}

export const SHORTCUTS: Record<string, string> = {
  ' ': 'play / pause',
  r: 'restart the run',
  '1': 'look along a',
  '2': 'look along b',
  '3': 'look along the normal (c)',
  o: 'orthographic / perspective',
  Escape: 'clear the picked atoms',
};

/** Whether a key pressed in `el` is typing (a text field, a menu), not a shortcut; a checkbox or button is not. */
function typesText(el: HTMLElement): boolean {
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable) return true;
  if (el.tagName !== 'INPUT') return false;
  return !['checkbox', 'radio', 'button', 'range', 'color'].includes((el as HTMLInputElement).type);
}

/** Binds the keys, and lists them in the page's #shortcuts note when there is one. */
export function bindShortcuts(doc: Document, a: ShortcutActions): void {
  const note = doc.getElementById('shortcuts');
  if (note)
    note.textContent = `Keys: ${Object.entries(SHORTCUTS)
      .map(([k, what]) => `${k === ' ' ? 'space' : k} ${what}`)
      .join(', ')}.`;
  doc.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement | null;
    if (e.ctrlKey || e.metaKey || e.altKey || (t && typesText(t))) return;
    if (e.key === ' ') a.togglePlay();
    else if (e.key === 'r') a.reset();
    else if (e.key === 'o') a.toggleOrthographic();
    else if (e.key === 'Escape') a.clearPick();
    else if (e.key === '1' || e.key === '2' || e.key === '3') a.view((Number(e.key) - 1) as 0 | 1 | 2);
    else return;
    e.preventDefault();
  });
}
