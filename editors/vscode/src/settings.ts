// Map the `nixls-assist.*` configuration to what the server accepts in
// initializationOptions and workspace/configuration (nixls_assist/server/settings.py).
// The server rejects unknown keys, so client-only settings are dropped here.

/** Keys under `nixls-assist.` that only the client reads. */
export const CLIENT_ONLY = ['server', 'trace'] as const;

/** Keys the server understands (camelCase, as on the wire). */
export const SERVER_KEYS = [
  'release',
  'nixpkgsInput',
  'homeManagerInput',
  'select',
  'ignore',
  'severities',
  'skillReferences',
  'diagnosticsDelayMs',
  'completionLimit',
  'downloadSources',
  'sourceUrl',
] as const;

export type ServerSettings = Partial<Record<(typeof SERVER_KEYS)[number], unknown>>;

function codes(value: unknown): unknown {
  if (!Array.isArray(value)) {
    return value;
  }
  return value
    .map((code) => (typeof code === 'string' ? code.trim().toUpperCase() : code))
    .filter((code) => code !== '');
}

/**
 * The server's settings object from the raw `nixls-assist` configuration section.
 * Unset values (null, undefined, an empty release) are left out so the server keeps
 * its defaults; `~` in skillReferences is expanded; codes are upper-cased.
 */
export function toServerSettings(raw: unknown, home: string): ServerSettings {
  const out: ServerSettings = {};
  if (raw === null || typeof raw !== 'object') {
    return out;
  }
  const section = raw as Record<string, unknown>;
  for (const key of SERVER_KEYS) {
    let value = section[key];
    if (value === undefined || value === null) {
      continue;
    }
    if (key === 'release' && typeof value === 'string') {
      value = value.trim();
      if (value === '') {
        continue;
      }
    }
    if (key === 'select' || key === 'ignore') {
      value = codes(value);
    }
    if (key === 'severities' && typeof value === 'object' && !Array.isArray(value)) {
      value = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([code, sev]) => [
          code.trim().toUpperCase(),
          typeof sev === 'string' ? sev.toLowerCase() : sev,
        ]),
      );
    }
    if (key === 'skillReferences' && Array.isArray(value)) {
      value = value.map((dir) =>
        typeof dir === 'string' && (dir === '~' || dir.startsWith('~/')) ? home + dir.slice(1) : dir,
      );
    }
    out[key] = value;
  }
  return out;
}

/** Did a configuration change touch a setting that needs a new server process? */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return affects('nixls-assist.server');
}
