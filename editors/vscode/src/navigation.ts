// What the fleet and upgrade commands do with the server's answers, without the vscode
// API (unit-tested in plain Node): where flake.nix defines a configuration (from workspace
// symbols), how many edits a WorkspaceEdit holds, and what to do with
// `experimental/parentModule` locations.

/** A configuration the server names: `nixosConfigurations.kestrel`, or an object that may
 * carry where it is defined (`{attribute, uri, range}`). */
export interface ConfigurationItem {
  attribute: string;
  name: string;
  output: string;
  uri?: string;
  line?: number;
}

interface Position {
  line: number;
  character: number;
}

interface Range {
  start: Position;
  end: Position;
}

export function toConfigurationItems(result: unknown): ConfigurationItem[] {
  if (!Array.isArray(result)) {
    return [];
  }
  const items: ConfigurationItem[] = [];
  for (const entry of result) {
    const attribute =
      typeof entry === 'string'
        ? entry
        : entry !== null && typeof entry === 'object' && typeof entry.attribute === 'string'
          ? (entry.attribute as string)
          : undefined;
    if (attribute === undefined) {
      continue;
    }
    const dot = attribute.indexOf('.');
    const item: ConfigurationItem = {
      attribute,
      output: dot < 0 ? '' : attribute.slice(0, dot),
      name: dot < 0 ? attribute : attribute.slice(dot + 1).replace(/^"(.*)"$/, '$1'),
    };
    if (typeof entry === 'object' && typeof entry.uri === 'string') {
      item.uri = entry.uri;
      const range = entry.range as Range | undefined;
      item.line = typeof range?.start?.line === 'number' ? range.start.line : 0;
    }
    items.push(item);
  }
  return items;
}

/** LSP SymbolKind.Module: how the server's workspace symbols mark a configuration. */
export const MODULE_SYMBOL = 2;

/**
 * Where flake.nix defines each configuration, from the server's workspace symbols (a
 * configuration is a Module symbol named by its attribute, at its name in flake.nix).
 */
export function configurationLocations(symbols: unknown, attributes: string[]): Map<string, LocationLike> {
  const wanted = new Set(attributes);
  const found = new Map<string, LocationLike>();
  for (const symbol of Array.isArray(symbols) ? symbols : []) {
    const location = symbol?.location as LocationLike | undefined;
    if (
      symbol?.kind === MODULE_SYMBOL &&
      wanted.has(symbol.name) &&
      !found.has(symbol.name) &&
      typeof location?.uri === 'string' &&
      typeof location.range === 'object'
    ) {
      found.set(symbol.name, location);
    }
  }
  return found;
}

/** The number of text edits in an LSP WorkspaceEdit (`changes` or `documentChanges`). */
export function countEdits(edit: unknown): number {
  if (edit === null || typeof edit !== 'object') {
    return 0;
  }
  const we = edit as { changes?: Record<string, unknown[]>; documentChanges?: { edits?: unknown[] }[] };
  let count = 0;
  for (const edits of Object.values(we.changes ?? {})) {
    count += Array.isArray(edits) ? edits.length : 0;
  }
  for (const change of we.documentChanges ?? []) {
    count += Array.isArray(change.edits) ? change.edits.length : 1;
  }
  return count;
}

/** The files a WorkspaceEdit touches. */
export function editedFiles(edit: unknown): string[] {
  if (edit === null || typeof edit !== 'object') {
    return [];
  }
  const we = edit as { changes?: Record<string, unknown[]>; documentChanges?: { textDocument?: { uri: string } }[] };
  const uris = Object.keys(we.changes ?? {});
  for (const change of we.documentChanges ?? []) {
    if (change.textDocument?.uri) {
      uris.push(change.textDocument.uri);
    }
  }
  return [...new Set(uris)];
}

export interface UpgradeTargets {
  from?: string;
  targets: string[];
}

/** The server's answer to previewUpgrade without a target; undefined when it gave none. */
export function toUpgradeTargets(result: unknown): UpgradeTargets | undefined {
  if (result === null || typeof result !== 'object') {
    return undefined;
  }
  const r = result as { from?: unknown; targets?: unknown };
  if (!Array.isArray(r.targets)) {
    return undefined;
  }
  const targets = r.targets.filter((t): t is string => typeof t === 'string');
  if (targets.length === 0) {
    return undefined;
  }
  return { from: typeof r.from === 'string' ? r.from : undefined, targets };
}

export interface LocationLike {
  uri: string;
  range: Range;
}

export type ParentAction =
  | { kind: 'none' }
  | { kind: 'jump'; location: LocationLike }
  | { kind: 'pick'; locations: LocationLike[] };

/** `experimental/parentModule`'s answer (`Location[] | null`) → what the command does. */
export function parentAction(result: unknown): ParentAction {
  const locations = (Array.isArray(result) ? result : result ? [result] : []).filter(
    (l): l is LocationLike =>
      l !== null && typeof l === 'object' && typeof l.uri === 'string' && typeof l.range === 'object',
  );
  if (locations.length === 0) {
    return { kind: 'none' };
  }
  if (locations.length === 1) {
    return { kind: 'jump', location: locations[0] };
  }
  return { kind: 'pick', locations };
}

/** A file URI shown relative to the workspace folder (`hosts/kestrel/default.nix`). */
export function relativeTo(uri: string, folderUri: string | undefined): string {
  const path = decodeURIComponent(uri.replace(/^file:\/\//, ''));
  if (folderUri !== undefined) {
    const folder = decodeURIComponent(folderUri.replace(/^file:\/\//, '')).replace(/\/$/, '');
    if (path.startsWith(folder + '/')) {
      return path.slice(folder.length + 1);
    }
  }
  return path;
}
