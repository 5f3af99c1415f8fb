// The palette commands that ask the server about the fleet and the next release:
// "Preview upgrade to…", "Show configurations of this file", "Go to importing file".
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient, Location, WorkspaceSymbolRequest } from 'vscode-languageclient/node';

import {
  configurationLocations,
  countEdits,
  editedFiles,
  LocationLike,
  parentAction,
  relativeTo,
  toConfigurationItems,
  toUpgradeTargets,
} from './navigation';

export const PREVIEW_UPGRADE = 'nixls-assist.previewUpgrade'; // the server's commands
export const SHOW_CONFIGURATIONS = 'nixls-assist.showConfigurations';
export const PARENT_MODULE = 'experimental/parentModule';

export interface Host {
  client(): LanguageClient | undefined;
  log(message: string): void;
}

function running(host: Host): LanguageClient | undefined {
  const client = host.client();
  if (client === undefined || !client.isRunning()) {
    void vscode.window.showWarningMessage('nixls-assist: the language server is not running');
    return undefined;
  }
  return client;
}

function nixEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || editor.document.languageId !== 'nix') {
    void vscode.window.showInformationMessage('nixls-assist: open a Nix file first');
    return undefined;
  }
  return editor;
}

function serverCommand(client: LanguageClient, command: string, args: unknown[]): Promise<unknown> {
  return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
}

// -- Preview upgrade to… ------------------------------------------------------------------

async function askTarget(client: LanguageClient, uri: string | undefined): Promise<string | undefined> {
  const answer = toUpgradeTargets(await serverCommand(client, PREVIEW_UPGRADE, [{ uri }]).catch(() => undefined));
  if (answer !== undefined && !(answer.targets.length === 1 && answer.from === undefined)) {
    const picked = await vscode.window.showQuickPick(
      answer.targets.map((release, i) => ({
        label: release,
        description: i === 0 && release !== 'unstable' ? 'next release' : undefined,
      })),
      {
        title: 'nixls-assist: Preview upgrade to…',
        placeHolder: answer.from ? `Pinned to ${answer.from}: upgrade to` : 'Upgrade to',
      },
    );
    return picked?.label;
  }
  const typed = await vscode.window.showInputBox({
    title: 'nixls-assist: Preview upgrade to…',
    prompt: 'The NixOS release to upgrade to',
    placeHolder: '25.05, nixos-25.05 or unstable',
    validateInput: (value) => (value.trim() === '' ? 'Give a release such as 25.05' : undefined),
  });
  return typed?.trim() || undefined;
}

export async function previewUpgrade(host: Host): Promise<void> {
  const client = running(host);
  if (client === undefined) {
    return;
  }
  const editor = vscode.window.activeTextEditor;
  // the pin of the active Nix file, else of any open one (the report may be in front)
  const nixDoc =
    editor?.document.languageId === 'nix'
      ? editor.document
      : vscode.workspace.textDocuments.find((d) => d.languageId === 'nix' && d.uri.scheme === 'file');
  const uri = nixDoc?.uri.toString();
  const folder =
    (nixDoc && vscode.workspace.getWorkspaceFolder(nixDoc.uri)) ?? vscode.workspace.workspaceFolders?.[0];
  const target = await askTarget(client, uri);
  if (target === undefined) {
    return;
  }
  host.log(`previewing the upgrade to ${target}`);
  const answer = (await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `nixls-assist: upgrade to ${target}…` },
    () => serverCommand(client, PREVIEW_UPGRADE, [{ to: target, folder: folder?.uri.toString() }]),
  )) as { markdown?: string; edit?: unknown } | null;
  if (!answer || typeof answer.markdown !== 'string') {
    return; // the server said why (an unknown release, no folder)
  }
  const report = await vscode.workspace.openTextDocument({ language: 'markdown', content: answer.markdown });
  await vscode.window.showTextDocument(report, { preview: false });
  await vscode.commands.executeCommand('markdown.showPreviewToSide', report.uri).then(undefined, (err) => {
    host.log(`markdown preview: ${String(err)}`);
  });
  const count = countEdits(answer.edit);
  const files = editedFiles(answer.edit).length;
  host.log(`upgrade to ${target}: ${count} edit(s) in ${files} file(s)`);
  if (count === 0) {
    void vscode.window.showInformationMessage(`nixls-assist: no automatic edits for the upgrade to ${target}`);
    return;
  }
  const apply = `Apply ${count} edit${count === 1 ? '' : 's'}`;
  const choice = await vscode.window.showInformationMessage(
    `nixls-assist: upgrade to ${target}: ${count} safe edit${count === 1 ? '' : 's'} ` +
      `in ${files} file${files === 1 ? '' : 's'} (renames and input refs)`,
    apply,
  );
  if (choice !== apply) {
    return;
  }
  const edit = await client.protocol2CodeConverter.asWorkspaceEdit(
    answer.edit as Parameters<typeof client.protocol2CodeConverter.asWorkspaceEdit>[0],
  );
  if (edit === undefined) {
    return;
  }
  const applied = await vscode.workspace.applyEdit(edit);
  host.log(`upgrade to ${target}: ${applied ? 'applied' : 'not applied'}`);
  if (applied) {
    void vscode.window.showInformationMessage(
      `nixls-assist: applied ${count} edit${count === 1 ? '' : 's'}; review and save, then run \`nix flake update\``,
    );
  } else {
    void vscode.window.showErrorMessage('nixls-assist: the upgrade edits could not be applied');
  }
}

// -- Show configurations of this file -----------------------------------------------------

/** The pick list of configurations; `result` is the server's answer for `file`. */
export async function pickConfiguration(client: LanguageClient, file: vscode.Uri, result: unknown): Promise<void> {
  const items = toConfigurationItems(result);
  if (items.length === 0) {
    return; // the server said so in a message
  }
  // where flake.nix names each one: the server's workspace symbols, one query per output
  const located = new Map<string, LocationLike>();
  for (const output of new Set(items.filter((i) => i.uri === undefined).map((i) => i.output))) {
    const symbols = await client
      .sendRequest(WorkspaceSymbolRequest.type, { query: output })
      .catch(() => undefined);
    for (const [attribute, loc] of configurationLocations(symbols, items.map((i) => i.attribute))) {
      located.set(attribute, loc);
    }
  }
  const picks = items.map((item) => {
    const loc: LocationLike | undefined =
      item.uri !== undefined
        ? { uri: item.uri, range: { start: { line: item.line ?? 0, character: 0 }, end: { line: item.line ?? 0, character: 0 } } }
        : located.get(item.attribute);
    const at = loc ? client.protocol2CodeConverter.asLocation(loc as Location) : undefined;
    return {
      label: item.name,
      description: item.attribute,
      detail: at ? `${vscode.workspace.asRelativePath(at.uri)}:${at.range.start.line + 1}` : undefined,
      at,
    };
  });
  const name = vscode.workspace.asRelativePath(file);
  const chosen = await vscode.window.showQuickPick(picks, {
    title: `${name}: used by ${items.length} configuration${items.length === 1 ? '' : 's'}`,
    placeHolder: 'Open where the configuration is defined',
    matchOnDescription: true,
  });
  if (chosen?.at) {
    await vscode.window.showTextDocument(chosen.at.uri, { selection: chosen.at.range });
  }
}

export async function showConfigurations(host: Host): Promise<void> {
  const client = running(host);
  const editor = client && nixEditor();
  if (client === undefined || editor === undefined) {
    return;
  }
  const uri = editor.document.uri;
  const result = await serverCommand(client, SHOW_CONFIGURATIONS, [uri.toString()]);
  host.log(`configurations of ${vscode.workspace.asRelativePath(uri)}: ${JSON.stringify(result)}`);
  await pickConfiguration(client, uri, result);
}

// -- Go to importing file -----------------------------------------------------------------

export async function goToImportingFile(host: Host): Promise<void> {
  const client = running(host);
  const editor = client && nixEditor();
  if (client === undefined || editor === undefined) {
    return;
  }
  const experimental = client.initializeResult?.capabilities.experimental as { parentModule?: boolean } | undefined;
  if (!experimental?.parentModule) {
    void vscode.window.showInformationMessage(
      'nixls-assist: this version of the server cannot find importing files (no experimental/parentModule)',
    );
    return;
  }
  const params = client.code2ProtocolConverter.asTextDocumentPositionParams(
    editor.document,
    editor.selection.active,
  );
  const result = await client.sendRequest(PARENT_MODULE, params);
  const action = parentAction(result);
  const name = vscode.workspace.asRelativePath(editor.document.uri);
  host.log(`importing files of ${name}: ${JSON.stringify(result)}`);
  if (action.kind === 'none') {
    void vscode.window.showInformationMessage(`nixls-assist: no file is known to import ${name}`);
    return;
  }
  const folder = vscode.workspace.getWorkspaceFolder(editor.document.uri)?.uri.toString();
  const show = async (loc: { uri: string; range: unknown }): Promise<void> => {
    const location = client.protocol2CodeConverter.asLocation(loc as Location);
    await vscode.window.showTextDocument(location.uri, { selection: location.range });
  };
  if (action.kind === 'jump') {
    await show(action.location);
    return;
  }
  const chosen = await vscode.window.showQuickPick(
    action.locations.map((loc) => ({
      label: relativeTo(loc.uri, folder),
      description: `line ${loc.range.start.line + 1}`,
      loc,
    })),
    { title: `${name} is imported by ${action.locations.length} files`, placeHolder: 'Go to' },
  );
  if (chosen) {
    await show(chosen.loc);
  }
}
