// VS Code client for nixls-assist: starts `nixls-assist serve` over stdio for Nix
// documents and maps the `nixls-assist.*` settings onto the server's settings.
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from 'vscode-languageclient/node';

import {
  DEFAULT_EXECUTABLE,
  findExecutable,
  missingServerMessage,
  resolveServerCommand,
  ServerCommand,
  ServerPathError,
} from './command';
import { goToImportingFile, Host, pickConfiguration, previewUpgrade, SHOW_CONFIGURATIONS, showConfigurations } from './commands';
import { needsRestart, toServerSettings } from './settings';

const SECTION = 'nixls-assist';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;

function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function currentSettings(): Record<string, unknown> {
  return toServerSettings(vscode.workspace.getConfiguration().get(SECTION), os.homedir());
}

function log(message: string): void {
  output.appendLine(`[${new Date().toISOString()}] ${message}`);
}

async function reportMissing(cmd: ServerCommand, usedDefault: boolean): Promise<void> {
  const message = missingServerMessage(cmd, usedDefault);
  log(message);
  const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Output');
  if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server.path`);
  } else if (choice === 'Show Output') {
    output.show(true);
  }
}

async function startClient(): Promise<void> {
  const setting = vscode.workspace.getConfiguration(SECTION).get<unknown>('server.path');
  let cmd: ServerCommand;
  try {
    cmd = resolveServerCommand(setting, { home: os.homedir(), workspaceFolder: workspaceRoot() });
  } catch (err) {
    if (err instanceof ServerPathError) {
      log(err.message);
      void vscode.window.showErrorMessage(err.message);
      return;
    }
    throw err;
  }
  const cwd = workspaceRoot() ?? os.homedir();
  const executable = findExecutable(cmd.command, process.env.PATH, cwd);
  if (executable === undefined) {
    await reportMissing(cmd, cmd.command === DEFAULT_EXECUTABLE);
    return;
  }
  log(`starting ${[executable, ...cmd.args].join(' ')} (cwd ${cwd})`);

  const serverOptions: ServerOptions = {
    command: executable,
    // no `transport`: TransportKind.stdio would append `--stdio` to the argv
    args: cmd.args,
    options: { cwd },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'nix' },
      { scheme: 'untitled', language: 'nix' },
    ],
    synchronize: {
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/*.nix'),
        vscode.workspace.createFileSystemWatcher('**/flake.lock'),
      ],
    },
    initializationOptions: currentSettings(),
    outputChannel: output,
    middleware: {
      // The code lens "in 2 configurations: …" runs the server's showConfigurations: its
      // answer becomes the same pick list as the palette command's.
      executeCommand: async (command, args, next) => {
        const result = await next(command, args);
        if (command === SHOW_CONFIGURATIONS && typeof args[0] === 'string' && client) {
          await pickConfiguration(client, vscode.Uri.parse(args[0]), result);
        }
        return result;
      },
      workspace: {
        // The server pulls the `nixls-assist` section; hand it only the keys it knows.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return result.map((value, i) =>
            params.items[i]?.section === SECTION ? toServerSettings(value, os.homedir()) : value,
          );
        },
      },
    },
  };
  client = new LanguageClient(SECTION, 'nixls-assist', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    const message = `nixls-assist: the language server failed to start: ${String(err)}`;
    log(message);
    void vscode.window.showErrorMessage(message, 'Show Output').then((choice) => {
      if (choice) {
        output.show(true);
      }
    });
    return;
  }
  const info = client.initializeResult?.serverInfo;
  log(`server running: ${info?.name ?? 'nixls-assist'} ${info?.version ?? ''}`.trimEnd());
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (err) {
      log(`stopping the server: ${String(err)}`);
    }
  }
}

async function restart(): Promise<void> {
  log('restarting the server');
  await stopClient();
  await startClient();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('nixls-assist');
  context.subscriptions.push(output);
  log(`nixls-assist extension ${context.extension.packageJSON.version} activated`);
  const host: Host = { client: () => client, log };
  context.subscriptions.push(
    vscode.commands.registerCommand('nixls-assist.restartServer', restart),
    // not the server's command names: the client registers those itself (they run on the server)
    vscode.commands.registerCommand('nixls-assist.previewUpgradeTo', () => previewUpgrade(host)),
    vscode.commands.registerCommand('nixls-assist.showFileConfigurations', () => showConfigurations(host)),
    vscode.commands.registerCommand('nixls-assist.goToImportingFile', () => goToImportingFile(host)),
    vscode.commands.registerCommand('nixls-assist.showOutput', () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      if (needsRestart((s) => event.affectsConfiguration(s))) {
        await restart();
      } else if (client?.isRunning()) {
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { [SECTION]: currentSettings() },
        });
      }
    }),
  );
  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
