// How to start the server: resolve `nixls-assist.server.path` into an argv and find
// the executable, without touching the vscode API (unit-tested in plain Node).
import * as fs from 'node:fs';
import * as path from 'node:path';

export const DEFAULT_EXECUTABLE = 'nixls-assist';

export interface ServerCommand {
  command: string;
  args: string[];
}

export interface ExpandContext {
  home: string;
  workspaceFolder?: string;
}

export class ServerPathError extends Error {}

/** `~` and `${workspaceFolder}` / `${userHome}` in one argv element. */
export function expand(value: string, ctx: ExpandContext): string {
  let out = value;
  if (out === '~' || out.startsWith('~/')) {
    out = ctx.home + out.slice(1);
  }
  out = out.replace(/\$\{userHome\}/g, ctx.home);
  if (ctx.workspaceFolder !== undefined) {
    out = out.replace(/\$\{workspaceFolder\}/g, ctx.workspaceFolder);
  }
  return out;
}

/**
 * The server's argv from the setting: a string is the executable (`serve` is added),
 * an array is the whole command line. Empty or malformed values raise ServerPathError.
 */
export function resolveServerCommand(setting: unknown, ctx: ExpandContext): ServerCommand {
  if (setting === undefined || setting === null || setting === '') {
    return { command: DEFAULT_EXECUTABLE, args: ['serve'] };
  }
  if (typeof setting === 'string') {
    return { command: expand(setting.trim(), ctx), args: ['serve'] };
  }
  if (Array.isArray(setting)) {
    if (setting.length === 0) {
      throw new ServerPathError('nixls-assist.server.path is an empty array: give at least the executable');
    }
    if (!setting.every((part) => typeof part === 'string')) {
      throw new ServerPathError('nixls-assist.server.path: every element of the array must be a string');
    }
    const [command, ...args] = setting.map((part: string) => expand(part, ctx));
    if (command.trim() === '') {
      throw new ServerPathError('nixls-assist.server.path: the executable (first element) is empty');
    }
    return { command, args };
  }
  throw new ServerPathError(
    `nixls-assist.server.path must be a string or an array of strings, not ${typeof setting}`,
  );
}

function isExecutableFile(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) {
      return false;
    }
    if (process.platform === 'win32') {
      return true;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The file `command` runs, searched on `envPath` like a shell does (a command with a
 * slash is taken relative to `cwd`), or undefined when there is none.
 */
export function findExecutable(
  command: string,
  envPath: string | undefined,
  cwd: string,
  pathExt: string | undefined = process.platform === 'win32' ? process.env.PATHEXT : undefined,
): string | undefined {
  const suffixes = pathExt ? ['', ...pathExt.split(';').filter(Boolean)] : [''];
  const candidates: string[] = [];
  if (command.includes('/') || command.includes(path.sep)) {
    candidates.push(path.resolve(cwd, command));
  } else {
    for (const dir of (envPath ?? '').split(path.delimiter)) {
      if (dir !== '') {
        candidates.push(path.join(dir, command));
      }
    }
  }
  for (const base of candidates) {
    for (const suffix of suffixes) {
      if (isExecutableFile(base + suffix)) {
        return base + suffix;
      }
    }
  }
  return undefined;
}

/** The message shown when the server cannot be started because it is not installed. */
export function missingServerMessage(cmd: ServerCommand, usedDefault: boolean): string {
  const what = usedDefault
    ? `The nixls-assist language server ("${cmd.command}") was not found on PATH.`
    : `The language server command "${cmd.command}" from nixls-assist.server.path was not found.`;
  // plain text: notifications do not render markdown
  return (
    `${what} Install it with "pipx install nixls-assist" (or "pip install --user nixls-assist"), ` +
    'or set nixls-assist.server.path to the executable, or to an argv such as ' +
    '["python3", "-m", "nixls_assist", "serve"].'
  );
}
