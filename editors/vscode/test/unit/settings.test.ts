import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { needsRestart, SERVER_KEYS, toServerSettings } from '../../src/settings';

// compiled to out/test/unit/: the manifest is three levels up
const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, unknown> } };
};

describe('toServerSettings', () => {
  it('drops client-only keys (server.path, trace) and unset values', () => {
    const raw = {
      server: { path: ['python3', '-m', 'nixls_assist', 'serve'] },
      trace: { server: 'verbose' },
      release: null,
      ignore: [],
      completionLimit: 50,
    };
    assert.deepEqual(toServerSettings(raw, '/h'), { ignore: [], completionLimit: 50 });
  });

  it('passes the release override, trimmed, and leaves out an empty one', () => {
    assert.deepEqual(toServerSettings({ release: ' 24.11 ' }, '/h'), { release: '24.11' });
    assert.deepEqual(toServerSettings({ release: '  ' }, '/h'), {});
  });

  it('upper-cases codes in ignore/select/severities and drops blanks', () => {
    assert.deepEqual(
      toServerSettings({ ignore: ['nxa104', ' NXA2 ', ''], select: ['nxa1'], severities: { nxa104: 'Warning' } }, '/h'),
      { ignore: ['NXA104', 'NXA2'], select: ['NXA1'], severities: { NXA104: 'warning' } },
    );
  });

  it('expands ~ in skillReferences only at the start', () => {
    assert.deepEqual(toServerSettings({ skillReferences: ['~/notes', '/srv/~x', '~'] }, '/home/a'), {
      skillReferences: ['/home/a/notes', '/srv/~x', '/home/a'],
    });
  });

  it('keeps wrongly typed values as they are, for the server to report', () => {
    assert.deepEqual(toServerSettings({ completionLimit: 'yes' }, '/h'), { completionLimit: 'yes' });
  });

  it('returns {} for a missing or non-object section', () => {
    assert.deepEqual(toServerSettings(undefined, '/h'), {});
    assert.deepEqual(toServerSettings('x', '/h'), {});
  });

  it('sends every setting the extension declares, except the client-only ones', () => {
    const declared = Object.keys(pkg.contributes.configuration.properties).map((k) =>
      k.replace(/^nixls-assist\./, ''),
    );
    for (const key of declared) {
      if (key.startsWith('server.') || key.startsWith('trace.')) {
        continue;
      }
      assert.ok((SERVER_KEYS as readonly string[]).includes(key), `${key} is declared but never sent`);
    }
  });
});

describe('needsRestart', () => {
  it('restarts for server.* only', () => {
    assert.equal(needsRestart((s) => s === 'nixls-assist.server'), true);
    assert.equal(needsRestart((s) => s === 'nixls-assist.release'), false);
  });
});
