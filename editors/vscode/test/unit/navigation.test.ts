import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  configurationLocations,
  countEdits,
  editedFiles,
  parentAction,
  relativeTo,
  toConfigurationItems,
  toUpgradeTargets,
} from '../../src/navigation';

describe('toConfigurationItems', () => {
  it('splits the attribute into output and name', () => {
    assert.deepEqual(toConfigurationItems(['nixosConfigurations.kestrel', 'homeConfigurations."alice@wren"']), [
      { attribute: 'nixosConfigurations.kestrel', output: 'nixosConfigurations', name: 'kestrel' },
      { attribute: 'homeConfigurations."alice@wren"', output: 'homeConfigurations', name: 'alice@wren' },
    ]);
  });

  it('keeps a location when the server gives one, and ignores what is no configuration', () => {
    const uri = 'file:///srv/fleet/flake.nix';
    assert.deepEqual(
      toConfigurationItems([
        { attribute: 'nixosConfigurations.kestrel', uri, range: { start: { line: 7, character: 8 } } },
        42,
        null,
      ]),
      [{ attribute: 'nixosConfigurations.kestrel', output: 'nixosConfigurations', name: 'kestrel', uri, line: 7 }],
    );
    assert.deepEqual(toConfigurationItems(null), []);
  });
});

describe('configurationLocations', () => {
  const at = (line: number) => ({
    uri: 'file:///srv/fleet/flake.nix',
    range: { start: { line, character: 8 }, end: { line, character: 15 } },
  });
  it('takes the Module symbols named by the attributes asked for, first one each', () => {
    const symbols = [
      { name: 'nixosConfigurations.kestrel', kind: 2, location: at(7) },
      { name: 'nixosConfigurations.kestrel-2', kind: 2, location: at(8) },
      { name: 'nixosConfigurations.kestrel', kind: 2, location: at(30) },
      { name: 'nixosConfigurations.osprey', kind: 7, location: at(9) }, // a property: an option
    ];
    const found = configurationLocations(symbols, ['nixosConfigurations.kestrel', 'nixosConfigurations.osprey']);
    assert.deepEqual([...found.entries()], [['nixosConfigurations.kestrel', at(7)]]);
  });

  it('is empty for no answer or malformed symbols', () => {
    assert.equal(configurationLocations(null, ['a.b']).size, 0);
    assert.equal(configurationLocations([{ name: 'a.b', kind: 2 }], ['a.b']).size, 0);
  });
});

describe('countEdits / editedFiles', () => {
  it('counts `changes` and `documentChanges`', () => {
    const edit = {
      changes: { 'file:///a/flake.nix': [{}, {}], 'file:///a/hosts/k.nix': [{}] },
      documentChanges: [{ textDocument: { uri: 'file:///a/b.nix', version: 1 }, edits: [{}] }],
    };
    assert.equal(countEdits(edit), 4);
    assert.deepEqual(editedFiles(edit), ['file:///a/flake.nix', 'file:///a/hosts/k.nix', 'file:///a/b.nix']);
    assert.equal(countEdits(null), 0);
    assert.equal(countEdits({ changes: {} }), 0);
  });
});

describe('toUpgradeTargets', () => {
  it('reads the releases after the pin', () => {
    assert.deepEqual(toUpgradeTargets({ from: '24.11', targets: ['25.05', 'unstable'] }), {
      from: '24.11',
      targets: ['25.05', 'unstable'],
    });
    assert.deepEqual(toUpgradeTargets({ from: null, targets: ['unstable'] }), { from: undefined, targets: ['unstable'] });
  });

  it('is undefined for an older server (no targets)', () => {
    assert.equal(toUpgradeTargets(null), undefined);
    assert.equal(toUpgradeTargets({ report: {} }), undefined);
    assert.equal(toUpgradeTargets({ targets: [] }), undefined);
  });
});

describe('parentAction', () => {
  const loc = (uri: string, line: number) => ({
    uri,
    range: { start: { line, character: 4 }, end: { line, character: 20 } },
  });

  it('jumps to the one importing file, picks among several, says so for none', () => {
    assert.deepEqual(parentAction([loc('file:///f/flake.nix', 3)]), { kind: 'jump', location: loc('file:///f/flake.nix', 3) });
    const two = [loc('file:///f/hosts/a.nix', 1), loc('file:///f/hosts/b.nix', 2)];
    assert.deepEqual(parentAction(two), { kind: 'pick', locations: two });
    assert.deepEqual(parentAction(null), { kind: 'none' });
    assert.deepEqual(parentAction([]), { kind: 'none' });
  });

  it('accepts a single Location and skips malformed entries', () => {
    assert.deepEqual(parentAction(loc('file:///f/x.nix', 0)), { kind: 'jump', location: loc('file:///f/x.nix', 0) });
    assert.deepEqual(parentAction([{ uri: 'file:///x' }, 3]), { kind: 'none' });
  });
});

describe('relativeTo', () => {
  it('shows a file relative to the folder, else its path', () => {
    assert.equal(relativeTo('file:///srv/fleet/hosts/a%20b.nix', 'file:///srv/fleet'), 'hosts/a b.nix');
    assert.equal(relativeTo('file:///elsewhere/x.nix', 'file:///srv/fleet/'), '/elsewhere/x.nix');
    assert.equal(relativeTo('file:///srv/fleet/x.nix', undefined), '/srv/fleet/x.nix');
  });
});
