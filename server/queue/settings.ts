/**
 * Worker settings read from the environment: each setting has a default and a variable that
 * overrides it (a positive number, or a boolean: 1/true/yes/on); `overrides` win over both.
 */
export function settingsFromEnv<T extends { [K in keyof T]: number | boolean }>(
  defaults: T,
  variables: Record<keyof T, string>,
  env: NodeJS.ProcessEnv,
  overrides: Partial<T>,
): T {
  const settings: Record<string, number | boolean> = { ...defaults };
  for (const name of Object.keys(variables) as (keyof T & string)[]) {
    const raw = env[variables[name]];
    if (raw === undefined || raw === '') continue;
    if (typeof defaults[name] === 'boolean') {
      settings[name] = ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase());
      continue;
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${variables[name]} must be a positive number, got ${raw}`);
    settings[name] = value;
  }
  return { ...(settings as T), ...overrides };
}
