import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  findExecutable,
  missingServerMessage,
  resolveServerCommand,
  ServerPathError,
} from '../../src/command';

const ctx = { home: '/home/alice', workspaceFolder: '/srv/fleet' };

describe('resolveServerCommand', () => {
  it('defaults to `nixls-assist serve` when unset or empty', () => {
    for (const unset of [undefined, null, '']) {
      assert.deepEqual(resolveServerCommand(unset, ctx), { command: 'nixls-assist', args: ['serve'] });
    }
  });

  it('adds `serve` to a string executable and expands ~', () => {
    assert.deepEqual(resolveServerCommand('~/.local/bin/nixls-assist ', ctx), {
      command: '/home/alice/.local/bin/nixls-assist',
      args: ['serve'],
    });
  });

  it('takes an array as the whole argv, nothing added', () => {
    assert.deepEqual(resolveServerCommand(['python3', '-m', 'nixls_assist', 'serve'], ctx), {
      command: 'python3',
      args: ['-m', 'nixls_assist', 'serve'],
    });
  });

  it('expands ${workspaceFolder} and ${userHome} in every element', () => {
    assert.deepEqual(
      resolveServerCommand(['${workspaceFolder}/.venv/bin/nixls-assist', 'serve', '--log=${userHome}/x'], ctx),
      { command: '/srv/fleet/.venv/bin/nixls-assist', args: ['serve', '--log=/home/alice/x'] },
    );
  });

  it('leaves ${workspaceFolder} alone without a workspace', () => {
    assert.equal(resolveServerCommand('${workspaceFolder}/bin/x', { home: '/h' }).command, '${workspaceFolder}/bin/x');
  });

  it('rejects an empty array, non-strings and other types', () => {
    assert.throws(() => resolveServerCommand([], ctx), ServerPathError);
    assert.throws(() => resolveServerCommand(['', 'serve'], ctx), /executable/);
    assert.throws(() => resolveServerCommand(['nixls-assist', 3], ctx), /must be a string/);
    assert.throws(() => resolveServerCommand(42, ctx), /string or an array/);
    assert.throws(() => resolveServerCommand({ path: 'x' }, ctx), ServerPathError);
  });
});

describe('findExecutable', () => {
  let dir: string;
  let bin: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixls-cmd-'));
    bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'nixls-assist'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'not-executable'), '', { mode: 0o644 });
    fs.mkdirSync(path.join(bin, 'a-directory'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('searches PATH in order, skipping empty entries', () => {
    const envPath = ['', path.join(dir, 'missing'), bin].join(path.delimiter);
    assert.equal(findExecutable('nixls-assist', envPath, '/'), path.join(bin, 'nixls-assist'));
  });

  it('returns undefined when nothing on PATH matches', () => {
    assert.equal(findExecutable('nixls-assist', path.join(dir, 'missing'), '/'), undefined);
    assert.equal(findExecutable('nixls-assist', undefined, '/'), undefined);
  });

  it('ignores files without the executable bit and directories', { skip: process.platform === 'win32' }, () => {
    assert.equal(findExecutable('not-executable', bin, '/'), undefined);
    assert.equal(findExecutable('a-directory', bin, '/'), undefined);
  });

  it('resolves a command with a slash against cwd, not PATH', () => {
    assert.equal(findExecutable('bin/nixls-assist', '', dir), path.join(bin, 'nixls-assist'));
    assert.equal(findExecutable(path.join(bin, 'nixls-assist'), '', '/'), path.join(bin, 'nixls-assist'));
    assert.equal(findExecutable('./nixls-assist', bin, dir), undefined);
  });
});

describe('missingServerMessage', () => {
  it('names the command and how to install it', () => {
    const msg = missingServerMessage({ command: 'nixls-assist', args: ['serve'] }, true);
    assert.match(msg, /\("nixls-assist"\) was not found on PATH/);
    assert.match(msg, /pipx install nixls-assist/);
    assert.match(msg, /nixls-assist\.server\.path/);
  });

  it('blames the setting when the user set one', () => {
    const msg = missingServerMessage({ command: '/opt/x/bin/nixls-assist', args: ['serve'] }, false);
    assert.match(msg, /"\/opt\/x\/bin\/nixls-assist" from nixls-assist\.server\.path was not found/);
  });
});
