/** The colour theme: the system's by default, or the one the user picked in the app (kept in this browser/profile). */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'photocluster.theme';

export function readTheme(): ThemeChoice {
  try {
    const v = window.localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system'; // storage blocked: follow the system
  }
}

/** Sets data-theme on <html>; the stylesheet's light-dark() colours follow it ("system" removes it). */
export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', choice);
}

export function saveTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, choice);
  } catch {
    // storage blocked: the choice lasts until the page is reloaded
  }
  applyTheme(choice);
}
