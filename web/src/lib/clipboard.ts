/**
 * Copies text. The async Clipboard API needs a secure context (https or localhost); on
 * `http://<lan-ip>` the older `execCommand('copy')` on a selected, off-screen textarea still
 * works. Resolves false when neither could copy (the caller then shows the text to copy).
 */
export async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // permission refused: try the old way
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.top = '-1000px';
  area.style.opacity = '0';
  const focused = document.activeElement as HTMLElement | null;
  // while a modal dialog is open the rest of the page is inert: put the textarea inside it
  (document.querySelector('dialog[open]') ?? document.body).appendChild(area);
  area.select();
  let ok: boolean;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  focused?.focus();
  return ok;
}
