/**
 * The brand switcher. Both themes live in styles.css and reach inside the components only through
 * `::part()` and `--aldero-*` custom properties — exactly what a tenant can do.
 */
export const THEMES = [
  { id: 'acme', name: 'Acme', description: 'Light, blue, rounded' },
  { id: 'globex', name: 'Globex', description: 'Dark, amber, square' },
] as const;

export type ThemeId = (typeof THEMES)[number]['id'];

const THEME_KEY = 'aldero-demo:theme';

export function applyTheme(id: ThemeId): void {
  document.documentElement.dataset.theme = id;
  document.documentElement.style.colorScheme = id === 'globex' ? 'dark' : 'light';
  localStorage.setItem(THEME_KEY, id);
}

/** The theme chosen last time, or the one in the URL (`?theme=globex`, for links and screenshots). */
export function restoreTheme(): ThemeId {
  const fromUrl = new URLSearchParams(location.search).get('theme');
  const saved = fromUrl ?? localStorage.getItem(THEME_KEY);
  const id = THEMES.some((theme) => theme.id === saved) ? (saved as ThemeId) : 'acme';
  applyTheme(id);
  return id;
}
