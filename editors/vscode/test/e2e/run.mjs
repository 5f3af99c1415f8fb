// End-to-end test of the packaged extension in a real VS Code (code-server), driven
// through headless chromium with playwright-core. Run by tests/editors/test_editors.py:
//
//   node test/e2e/run.mjs spec.json
//
// spec.json: {
//   codeServer, chromium, vsix, workspace, runDir, artifacts,   (absolute paths)
//   serverCommand: [argv of the language server],
//   module: "hosts/laptop/configuration.nix",                   (relative to workspace)
//   diagnostic: {code, line},                                    (0-based line)
//   hover: {line, character, contains: [...]},
//   definition: {line, character, file, declaredLine}  (optional: F12 there opens `file`),
//   fix: {line, character, title, expectLine}
//   configurations: {module, names: [...], pick, flakeLine}  (optional: "Show configurations
//       of this file" on `module` lists `names`; picking `pick` opens flake.nix on `flakeLine`)
//   importing: {module, file, line} | {module, unsupported: true}  (optional: "Go to
//       importing file" lands in `file` on `line`, or says the server cannot)
//   upgrade: {from, to, expect: [...]}  (optional: "Preview upgrade to…" offers `to` after
//       the pin `from`, opens the report, and "Apply N edits" puts every `expect` string
//       into flake.nix)
// }
// With `importingCases` instead (and a stand-in server that answers experimental/parentModule),
// only "Go to importing file" is driven: each case {module, file, line} jumps, {module, pick:
// [...], choose, file, line} picks among several, {module, none: true} says no file imports it.
// Prints one line per check ("ok …" / "FAIL …"), keeps screenshots and the extension's
// output channel in `artifacts`, and exits 0 only when every check passed.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { chromium } from 'playwright-core';

const TIMEOUT = Number(process.env.NIXLS_VSCODE_TIMEOUT_MS ?? 60000);
const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
let failures = 0;

const log = (msg) => console.log(msg);
const ok = (msg) => log(`ok ${msg}`);
const fail = (msg) => {
  failures += 1;
  log(`FAIL ${msg}`);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (s) => (s ?? '').replace(/\u00a0/g, ' ');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url, deadline) {
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) {
        return true;
      }
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  return false;
}

function writeSettings(run, settings) {
  // user settings, and the same as machine settings of the remote side where the
  // extension host runs
  for (const dir of ['User', 'Machine']) {
    fs.mkdirSync(path.join(run, 'ud', dir), { recursive: true });
    fs.writeFileSync(path.join(run, 'ud', dir, 'settings.json'), JSON.stringify(settings, null, 2));
  }
}

function prepareProfile(run) {
  fs.mkdirSync(path.join(run, 'ext'), { recursive: true });
  const settings = {
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    'editor.hover.delay': 100,
    'editor.minimap.enabled': false,
    'files.autoSave': 'off',
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'nixls-assist.server.path': spec.serverCommand,
    ...(spec.settings ?? {}),
  };
  writeSettings(run, settings);
  return settings;
}

function outputChannelLog(run) {
  // <user-data-dir>/logs/<ts>/exthost1/output_logging_<ts>/<n>-nixls-assist.log
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (/^\d+-nixls-assist\.log$/.test(entry.name)) {
        found.push(full);
      }
    }
  };
  const logs = path.join(run, 'ud', 'logs');
  if (fs.existsSync(logs)) {
    walk(logs);
  }
  return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

async function waitFor(what, predicate, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const value = await predicate();
    if (value) {
      return value;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Run a command from the palette: type `name`, click the entry of command `id`.
async function command(page, name, id) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: TIMEOUT });
  await input.fill(`>${name}`);
  await page.locator(`.quick-input-list [data-quick-input-id="${id}"]`).first().click({ timeout: TIMEOUT });
}

async function openFile(page, rel) {
  // Quick Open; once more when a closing widget swallowed the first keystrokes
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10000 });
      await input.fill(rel);
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: path.basename(rel) })
        .first()
        .waitFor({ timeout: TIMEOUT });
      await sleep(300); // let the list settle on the file asked for
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab.active', { hasText: path.basename(rel) }).first().waitFor({ timeout: 10000 });
      return;
    } catch (err) {
      if (attempt === 3) {
        throw err;
      }
      await page.keyboard.press('Escape');
      await sleep(500);
    }
  }
}

async function cursorOn(page, line) {
  return page.locator('.statusbar-item', { hasText: `Ln ${line + 1},` }).first().waitFor({ timeout: TIMEOUT });
}

async function checkConfigurations(page, c) {
  await openFile(page, c.module);
  // the code lens says the graph is read; the command answers from it
  const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: 'configuration' });
  await lens.first().waitFor({ timeout: TIMEOUT });
  ok(`code lens on ${c.module}: ${text(await lens.first().innerText())}`);
  await command(page, 'nixls-assist: Show configurations of this file', 'nixls-assist.showFileConfigurations');
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.filter({ hasText: c.pick }).first().waitFor({ timeout: TIMEOUT });
  const listed = text((await rows.allInnerTexts()).join(' | ')).replace(/\n/g, ' ');
  for (const name of c.names) {
    if (listed.includes(name)) {
      ok(`Show configurations lists ${name}`);
    } else {
      fail(`Show configurations lacks ${name}: ${listed}`);
    }
  }
  await page.screenshot({ path: path.join(spec.artifacts, 'vscode-7-configurations.png') });
  await page.keyboard.press('Escape');
  // clicking the code lens runs the server's command; the client shows its answer the same way
  await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'configuration' }).first().click();
  await rows.filter({ hasText: c.pick }).first().waitFor({ timeout: TIMEOUT }).then(
    () => ok('clicking the code lens offers the same pick list'),
    (err) => fail(`clicking the code lens showed no pick list: ${err.message}`),
  );
  await page.locator('.quick-input-list .monaco-list-row', { hasText: c.pick }).first().click();
  await page.locator('.tabs-container .tab.active', { hasText: 'flake.nix' }).first().waitFor({ timeout: TIMEOUT }).then(
    () => ok(`picking ${c.pick} opened flake.nix`),
    (err) => fail(`picking ${c.pick} did not open flake.nix: ${err.message}`),
  );
  await cursorOn(page, c.flakeLine).then(
    () => ok(`flake.nix: the cursor is on line ${c.flakeLine + 1}, where ${c.pick} is defined`),
    (err) => fail(`flake.nix: not on line ${c.flakeLine + 1}: ${err.message}`),
  );
}

async function checkImporting(page, c) {
  await openFile(page, c.module);
  await command(page, 'nixls-assist: Go to importing file', 'nixls-assist.goToImportingFile');
  if (c.unsupported) {
    const toast = page.locator('.notifications-toasts', { hasText: 'cannot find importing files' });
    await toast.first().waitFor({ timeout: TIMEOUT }).then(
      () => ok('Go to importing file: the server has no experimental/parentModule, and the user is told'),
      (err) => fail(`Go to importing file: no message about the missing request: ${err.message}`),
    );
    await page.keyboard.press('Escape');
    return;
  }
  await page.locator('.tabs-container .tab.active', { hasText: path.basename(c.file) }).first().waitFor({ timeout: TIMEOUT }).then(
    () => ok(`Go to importing file: landed in ${c.file}`),
    (err) => fail(`Go to importing file did not open ${c.file}: ${err.message}`),
  );
  await cursorOn(page, c.line).then(
    () => ok(`Go to importing file: the cursor is on line ${c.line + 1}`),
    (err) => fail(`Go to importing file: not on line ${c.line + 1}: ${err.message}`),
  );
  await page.screenshot({ path: path.join(spec.artifacts, 'vscode-8-importing.png') });
}

async function checkUpgrade(page, u) {
  await command(page, 'nixls-assist: Preview upgrade to…', 'nixls-assist.previewUpgradeTo');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: TIMEOUT });
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: u.to });
  await row.first().waitFor({ timeout: TIMEOUT });
  const placeholder = (await input.getAttribute('placeholder')) ?? '';
  if (placeholder.includes(`Pinned to ${u.from}`)) {
    ok(`Preview upgrade: the pick list knows the pin (${placeholder})`);
  } else {
    fail(`Preview upgrade: the pick list does not name the pin ${u.from}: ${JSON.stringify(placeholder)}`);
  }
  const releases = text((await page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).join(' | '));
  ok(`Preview upgrade offers: ${releases.replace(/\n/g, ' ')}`);
  await page.screenshot({ path: path.join(spec.artifacts, 'vscode-9-upgrade-pick.png') });
  await input.fill(u.to);
  await page.keyboard.press('Enter');
  const report = page.locator('.monaco-editor .view-lines', { hasText: `Upgrade to NixOS ${u.to}` });
  await report.first().waitFor({ timeout: TIMEOUT }).then(
    () => ok(`Preview upgrade: the Markdown report is open ("Upgrade to NixOS ${u.to} …")`),
    (err) => fail(`Preview upgrade: no report: ${err.message}`),
  );
  await page.locator('.tabs-container .tab', { hasText: 'Preview' }).first().waitFor({ timeout: TIMEOUT }).then(
    () => ok('Preview upgrade: the Markdown preview is open beside it'),
    (err) => fail(`Preview upgrade: no Markdown preview: ${err.message}`),
  );
  const apply = page.locator('.notifications-toasts .monaco-button', { hasText: /^Apply \d+ edits?$/ });
  await apply.first().waitFor({ timeout: TIMEOUT });
  ok(`Preview upgrade offers "${text(await apply.first().innerText())}"`);
  await page.screenshot({ path: path.join(spec.artifacts, 'vscode-10-upgrade-report.png') });
  await apply.first().click();
  await page.locator('.notifications-toasts', { hasText: 'applied' }).first().waitFor({ timeout: TIMEOUT }).then(
    () => ok('Preview upgrade: the workspace edit was applied'),
    (err) => fail(`Preview upgrade: no confirmation after applying: ${err.message}`),
  );
  await openFile(page, 'flake.nix'); // Quick Open focuses its editor: save that one
  await page.keyboard.press('Control+S');
  const flake = path.join(spec.workspace, 'flake.nix');
  await waitFor('flake.nix to have the bumped refs', () =>
    u.expect.every((needle) => fs.readFileSync(flake, 'utf8').includes(needle)),
  ).then(
    () => ok(`Preview upgrade: flake.nix now reads ${u.expect.join(', ')}`),
    () => fail(`Preview upgrade: flake.nix lacks ${u.expect.join(', ')}:\n${fs.readFileSync(flake, 'utf8')}`),
  );
  await page.screenshot({ path: path.join(spec.artifacts, 'vscode-11-upgrade-applied.png') });
}

async function goTo(page, line, character) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: TIMEOUT });
  await input.fill(`:${line + 1}:${character + 1}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: TIMEOUT });
}

async function lineText(page, line) {
  // the rendered lines of the small module all fit on screen; match by the line number gutter
  const lines = await page.locator('.monaco-editor .view-lines .view-line').allTextContents();
  const tops = await page.locator('.monaco-editor .view-lines .view-line').evaluateAll((els) =>
    els.map((el) => parseFloat(el.style.top)),
  );
  const order = tops.map((top, i) => [top, text(lines[i])]).sort((a, b) => a[0] - b[0]);
  return order[line]?.[1];
}

async function driveImporting(page, base) {
  await page.goto(`${base}/?folder=${encodeURIComponent(spec.workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: TIMEOUT });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: TIMEOUT });
  for (const [i, c] of spec.importingCases.entries()) {
    await openFile(page, c.module);
    if (i === 0) {
      await waitFor('the server to start', () => /server running: nixls-assist fake-parent/.test(outputChannelLog(spec.runDir)));
      ok('extension activated with the stand-in server');
    }
    await command(page, 'nixls-assist: Go to importing file', 'nixls-assist.goToImportingFile');
    if (c.none) {
      const toast = page.locator('.notifications-toasts', { hasText: `no file is known to import ${c.module}` });
      await toast.first().waitFor({ timeout: TIMEOUT }).then(
        () => ok(`${c.module}: no importing file, and the user is told`),
        (err) => fail(`${c.module}: no message for an empty answer: ${err.message}`),
      );
      continue;
    }
    if (c.pick) {
      const rows = page.locator('.quick-input-list .monaco-list-row');
      await rows.filter({ hasText: c.choose }).first().waitFor({ timeout: TIMEOUT });
      const listed = text((await rows.allInnerTexts()).join(' | ')).replace(/\n/g, ' ');
      if (c.pick.every((label) => listed.includes(label))) {
        ok(`${c.module}: a pick list of the importing files: ${listed}`);
      } else {
        fail(`${c.module}: the pick list lacks one of ${c.pick.join(', ')}: ${listed}`);
      }
      await page.screenshot({ path: path.join(spec.artifacts, 'vscode-importing-pick.png') });
      await rows.filter({ hasText: c.choose }).first().click();
    }
    await page.locator('.tabs-container .tab.active', { hasText: path.basename(c.file) }).first().waitFor({ timeout: TIMEOUT }).then(
      () => ok(`${c.module}: Go to importing file landed in ${c.file}`),
      (err) => fail(`${c.module}: Go to importing file did not open ${c.file}: ${err.message}`),
    );
    await cursorOn(page, c.line).then(
      () => ok(`${c.module}: the cursor is on line ${c.line + 1}`),
      (err) => fail(`${c.module}: not on line ${c.line + 1}: ${err.message}`),
    );
  }
}

async function drive(page, base, settings) {
  await page.goto(`${base}/?folder=${encodeURIComponent(spec.workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: TIMEOUT });
  ok('workbench loaded');

  // open the module with Quick Open
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: TIMEOUT });
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: TIMEOUT });
  await input.fill(spec.module);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: path.basename(spec.module) })
    .first()
    .waitFor({ timeout: TIMEOUT });
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: TIMEOUT });
  const mode = page.locator('.statusbar-item', { hasText: /^Nix$/ });
  await mode.first().waitFor({ timeout: TIMEOUT });
  ok(`opened ${spec.module} in language mode Nix`);

  // the extension activated and started the server
  const channel = await waitFor('the server to start', () => {
    const out = outputChannelLog(spec.runDir);
    return /server running: nixls-assist/.test(out) ? out : undefined;
  }).catch((err) => {
    throw new Error(`${err.message}; output channel:\n${outputChannelLog(spec.runDir)}`);
  });
  ok('extension activated; ' + channel.split('\n').find((l) => l.includes('server running')).trim());

  // the rename finding: a squiggle in the editor and an entry in the Problems panel
  await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: TIMEOUT });
  ok('warning squiggle in the editor');
  await page.screenshot({ path: path.join(spec.artifacts, 'vscode-1-diagnostics.png') });
  await command(page, 'View: Focus Problems', 'workbench.action.problems.focus');
  const row = page.locator('.markers-panel .monaco-list-row', { hasText: spec.diagnostic.code });
  await row.first().waitFor({ timeout: TIMEOUT });
  const rowText = text(await row.first().textContent());
  if (rowText.includes(`[Ln ${spec.diagnostic.line + 1},`)) {
    ok(`Problems panel: ${rowText}`);
  } else {
    fail(`Problems entry for ${spec.diagnostic.code} is not on line ${spec.diagnostic.line + 1}: ${rowText}`);
  }
  const rows = text((await page.locator('.markers-panel .monaco-list-row').allTextContents()).join('\n'));
  for (const code of spec.absent ?? []) {
    if (rows.includes(code)) {
      fail(`${code} is reported although nixls-assist.ignore lists it:\n${rows}`);
    } else {
      ok(`${code} not reported (nixls-assist.ignore reached the server)`);
    }
  }
  await page.locator('.monaco-editor .view-lines').first().click();

  // hover shows the option docs of the pinned release
  await goTo(page, spec.hover.line, spec.hover.character);
  await command(page, 'Show or Focus Hover', 'editor.action.showHover');
  const hover = page.locator('.monaco-hover-content').filter({ hasText: spec.hover.contains[0] });
  await hover.first().waitFor({ timeout: TIMEOUT });
  const hoverText = text(await hover.first().innerText());
  log(`hover text:\n  ${hoverText.replace(/\n/g, '\n  ')}`);
  for (const needle of spec.hover.contains) {
    if (hoverText.includes(needle)) {
      ok(`hover contains ${JSON.stringify(needle)}`);
    } else {
      fail(`hover lacks ${JSON.stringify(needle)}`);
    }
  }
  await page.screenshot({ path: path.join(spec.artifacts, 'vscode-2-hover.png') });
  await page.keyboard.press('Escape');

  // a quick fix applied from the light-bulb menu rewrites the path
  await goTo(page, spec.fix.line, spec.fix.character);
  await command(page, 'Quick Fix...', 'editor.action.quickFix');
  const action = page.locator('.action-widget .monaco-list-row', { hasText: spec.fix.title });
  await action.first().waitFor({ timeout: TIMEOUT });
  const offered = text((await page.locator('.action-widget .monaco-list-row').allTextContents()).join(' | '));
  log(`quick fixes offered: ${offered}`);
  await page.screenshot({ path: path.join(spec.artifacts, 'vscode-3-quickfix.png') });
  await action.first().click();
  await waitFor('the quick fix to rewrite the line', async () =>
    (await lineText(page, spec.fix.line))?.trimEnd() === spec.fix.expectLine,
  ).then(
    () => ok(`quick fix rewrote line ${spec.fix.line + 1}: ${spec.fix.expectLine.trim()}`),
    async () => fail(`line ${spec.fix.line + 1} reads ${JSON.stringify(await lineText(page, spec.fix.line))}`),
  );
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+S');
  const onDisk = await waitFor('the file to be saved', () => {
    const lines = fs.readFileSync(path.join(spec.workspace, spec.module), 'utf8').split('\n');
    return lines[spec.fix.line] === spec.fix.expectLine ? lines : undefined;
  }).catch(() => undefined);
  if (onDisk) {
    ok('saved file has the new path');
  } else {
    fail('the saved file does not have the new path');
  }
  // and the finding is gone from the Problems panel
  await waitFor(`${spec.diagnostic.code} on line ${spec.diagnostic.line + 1} to go away`, async () => {
    const rows = await page.locator('.markers-panel .monaco-list-row').allTextContents();
    return !rows.some((r) => r.includes(spec.diagnostic.code) && text(r).includes(`[Ln ${spec.diagnostic.line + 1},`));
  }).then(
    () => ok(`${spec.diagnostic.code} on line ${spec.diagnostic.line + 1} gone after the fix`),
    (err) => fail(err.message),
  );
  await page.screenshot({ path: path.join(spec.artifacts, 'vscode-4-fixed.png') });

  // "Go to Definition" on an option lands in the file that declares it
  if (spec.definition) {
    await goTo(page, spec.definition.line, spec.definition.character);
    await page.keyboard.press('F12');
    const tab = page.locator('.tabs-container .tab.active', { hasText: spec.definition.file });
    await tab.first().waitFor({ timeout: TIMEOUT }).then(
      () => ok(`Go to Definition: landed in ${spec.definition.file}`),
      (err) => fail(`Go to Definition did not open ${spec.definition.file}: ${err.message}`),
    );
    const cursor = page.locator('.statusbar-item', { hasText: `Ln ${spec.definition.declaredLine + 1},` });
    await cursor.first().waitFor({ timeout: TIMEOUT }).then(
      () => ok(`Go to Definition: the cursor is on line ${spec.definition.declaredLine + 1}`),
      (err) => fail(`Go to Definition: not on the declaring line: ${err.message}`),
    );
    await page.screenshot({ path: path.join(spec.artifacts, 'vscode-4b-definition.png') });
  }

  if (spec.configurations) {
    await checkConfigurations(page, spec.configurations);
  }
  if (spec.importing) {
    await checkImporting(page, spec.importing);
  }
  if (spec.upgrade) {
    await checkUpgrade(page, spec.upgrade);
  }

  // "Restart server" stops the server and starts a new one
  await command(page, 'nixls-assist: Restart server', 'nixls-assist.restartServer');
  await waitFor('the restarted server', () => {
    const out = outputChannelLog(spec.runDir);
    return /restarting the server[\s\S]*server running: nixls-assist/.test(out);
  }).then(
    () => ok('Restart server: a new server is running'),
    (err) => fail(`${err.message}:\n${outputChannelLog(spec.runDir)}`),
  );

  // an untitled Nix document is checked too
  await command(page, 'File: New Untitled Text File', 'workbench.action.files.newUntitledFile');
  await command(page, 'Change Language Mode', 'workbench.action.editor.changeLanguageMode');
  const modes = page.locator('.quick-input-widget input');
  await modes.fill('Nix');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: '(nix)' }).first().waitFor({ timeout: TIMEOUT });
  await page.keyboard.press('Enter');
  // Nix rejects the second `=` (line 1, column 24)
  await page.keyboard.type('let port = 22; in port = 2222\n');
  await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: TIMEOUT }).then(
    () => ok('untitled nix document: syntax error squiggle'),
    (err) => fail(`no diagnostics for an untitled nix document: ${err.message}`),
  );
  const untitledRow = page.locator('.markers-panel .monaco-list-row', { hasText: 'NXA001' })
    .filter({ hasText: '[Ln 1, Col 24]' });
  await untitledRow.first().waitFor({ timeout: TIMEOUT }).then(
    async () => ok(`Problems panel: ${text(await untitledRow.first().textContent())}`),
    (err) => fail(`no NXA001 entry for the untitled document: ${err.message}`),
  );
  await page.screenshot({ path: path.join(spec.artifacts, 'vscode-5-untitled.png') });

  // a server that is not installed: a clear error with the install hint
  writeSettings(spec.runDir, { ...settings, 'nixls-assist.server.path': '/nonexistent/bin/nixls-assist' });
  const toast = page.locator('.notifications-toasts', { hasText: 'pipx install nixls-assist' });
  await toast.first().waitFor({ timeout: TIMEOUT }).then(
    async () => {
      const message = text(await toast.first().innerText()).split('\n').find((l) => l.includes('not found'));
      ok(`missing server: ${message}`);
      await sleep(500); // let the toast finish sliding in for the screenshot
    },
    (err) => fail(`no install hint after pointing server.path nowhere: ${err.message}`),
  );
  await page.screenshot({ path: path.join(spec.artifacts, 'vscode-6-missing-server.png') });
}

async function main() {
  fs.mkdirSync(spec.artifacts, { recursive: true });
  const settings = prepareProfile(spec.runDir);
  const csArgs = ['--user-data-dir', path.join(spec.runDir, 'ud'), '--extensions-dir', path.join(spec.runDir, 'ext')];
  const install = spawnSync(spec.codeServer, [...csArgs, '--install-extension', spec.vsix], { encoding: 'utf8' });
  if (install.status !== 0) {
    fail(`installing the .vsix failed:\n${install.stdout}\n${install.stderr}`);
    return;
  }
  ok(`installed ${path.basename(spec.vsix)}: ${install.stdout.trim().split('\n').pop()}`);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const serverLog = fs.openSync(path.join(spec.artifacts, 'code-server.log'), 'w');
  const cs = spawn(
    spec.codeServer,
    [...csArgs, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
      '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
      spec.workspace],
    { detached: true, stdio: ['ignore', serverLog, serverLog] },
  );
  let browser;
  try {
    if (!(await waitForHealth(`${base}/healthz`, Date.now() + TIMEOUT))) {
      fail('code-server did not come up');
      return;
    }
    browser = await chromium.launch({
      executablePath: spec.chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await (spec.importingCases ? driveImporting(page, base) : drive(page, base, settings));
    } catch (err) {
      fail(String(err.stack ?? err));
      await page.screenshot({ path: path.join(spec.artifacts, 'vscode-failure.png') }).catch(() => {});
    }
  } catch (err) {
    fail(String(err.stack ?? err));
  } finally {
    fs.writeFileSync(path.join(spec.artifacts, 'nixls-assist-output.log'), outputChannelLog(spec.runDir));
    await browser?.close().catch(() => {});
    try {
      process.kill(-cs.pid, 'SIGTERM'); // code-server, its extension host and the language server
    } catch {
      // already gone
    }
  }
}

await main();
log(failures === 0 ? 'vscode e2e: all checks passed' : `vscode e2e: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
