import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  countEdits,
  editedFiles,
  locateConfiguration,
  parentAction,
  relativeTo,
  toConfigurationItems,
  toUpgradeTargets,
} from '../../src/navigation';

const FLAKE = `{
  outputs = { self, nixpkgs, ... }:
    let
      mkHost = name: nixpkgs.lib.nixosSystem { modules = [ ./hosts/\${name} ]; };
    in
    {
      nixosConfigurations = {
        kestrel = mkHost "kestrel";
        "osprey" = mkHost "osprey";
      };
      nixosConfigurations.heron = mkHost "heron";
      darwinConfigurations = nixpkgs.lib.genAttrs [ "wren" "finch" ] mkMac;
      deploy.nodes.kestrel.path = self.nixosConfigurations.kestrel;
    };
}
`;

const item = (attribute: string) => toConfigurationItems([attribute])[0];

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

describe('locateConfiguration', () => {
  it('finds the binding inside the output set, quoted or not', () => {
    assert.equal(locateConfiguration(FLAKE, item('nixosConfigurations.kestrel')), 7);
    assert.equal(locateConfiguration(FLAKE, item('nixosConfigurations.osprey')), 8);
  });

  it('prefers a dotted definition of the attribute', () => {
    assert.equal(locateConfiguration(FLAKE, item('nixosConfigurations.heron')), 10);
  });

  it('falls back to the name as a word after the output (genAttrs lists)', () => {
    assert.equal(locateConfiguration(FLAKE, item('darwinConfigurations.finch')), 11);
  });

  it('lands on the output when the name is not written, and gives up without the output', () => {
    assert.equal(locateConfiguration(FLAKE, item('nixosConfigurations.gannet')), 6);
    assert.equal(locateConfiguration(FLAKE, item('homeConfigurations.alice')), undefined);
  });

  it('does not take a longer name for the one asked', () => {
    const flake = 'nixosConfigurations = {\n  kestrel-2 = a;\n  kestrel = b;\n};\n';
    assert.equal(locateConfiguration(flake, item('nixosConfigurations.kestrel')), 2);
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
