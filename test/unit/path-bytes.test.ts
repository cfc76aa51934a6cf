import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fsPath, pathToBuffer } from '../../engine/src/paths/bytes';

describe('surrogate-escaped paths', () => {
  it('keeps valid UTF-8 as is', () => {
    assert.deepEqual(pathToBuffer('/tmp/é 😀'), Buffer.from('/tmp/é 😀', 'utf8'));
    assert.equal(fsPath('/tmp/é'), '/tmp/é');
  });
  it('turns \\udcXX back into the raw byte', () => {
    const s = JSON.parse('"/tmp/a\\udcff\\udc80b"') as string;
    assert.deepEqual(pathToBuffer(s), Buffer.from([0x2f, 0x74, 0x6d, 0x70, 0x2f, 0x61, 0xff, 0x80, 0x62]));
    assert.ok(Buffer.isBuffer(fsPath(s)));
  });
});
