/** The page's message box: errors stay until the next message, notes fade after a few seconds. */
export type MessageKind = 'error' | 'info';

export type Report = (text: string, kind?: MessageKind) => void;

/** How long an 'info' note stays, ms. */
const NOTE_MS = 6000;

export function messenger(doc: Document): Report {
  return (text, kind = 'error') => {
    const box = doc.getElementById('message');
    if (!box) return;
    box.textContent = text;
    box.dataset.kind = kind;
    box.hidden = false;
    if (kind === 'info') setTimeout(() => (box.hidden = true), NOTE_MS);
  };
}
