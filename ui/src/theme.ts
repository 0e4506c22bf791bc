/**
 * Light or dark, as the reader's system prefers or as they chose. The tokens' stylesheet
 * keys its colours on `data-color-mode` of `<html>` (as Jira does), so switching is one
 * attribute; the choice is kept in this browser only.
 */
export type ColorMode = 'auto' | 'light' | 'dark';

const KEY = 'postroom.colorMode';
const query = window.matchMedia('(prefers-color-scheme: dark)');

export function storedMode(): ColorMode {
  const value = window.localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'auto';
}

function apply(mode: ColorMode): void {
  const dark = mode === 'dark' || (mode === 'auto' && query.matches);
  document.documentElement.setAttribute('data-color-mode', dark ? 'dark' : 'light');
}

export function setMode(mode: ColorMode): void {
  if (mode === 'auto') window.localStorage.removeItem(KEY);
  else window.localStorage.setItem(KEY, mode);
  apply(mode);
}

/** Applies the stored choice and follows the system while the choice is `auto`. */
export function startTheme(): void {
  apply(storedMode());
  query.addEventListener('change', () => apply(storedMode()));
}
