import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceEvent } from '../../engine/protocol';
import { EventLines } from '../../engine/src/run/event-lines';

describe('event line parsing', () => {
  it('parses lines split across chunks', () => {
    const got: TraceEvent[] = [];
    const l = new EventLines((e) => got.push(e));
    l.push('{"ev":"open","pid":1,"path":"/a","mo');
    l.push('de":"r","ret":3}\n{"ev":"exit","pid":1,"code":0}\n');
    l.end();
    assert.equal(got.length, 2);
    assert.equal(l.invalid, 0);
  });

  it('counts garbage, schema violations and a cut-off last line, never throws', () => {
    const got: TraceEvent[] = [];
    const l = new EventLines((e) => got.push(e));
    l.push('not json\n{"ev":"open","pid":1}\n{"ev":"teleport","pid":1}\n\n');
    l.push('{"ev":"exit","pid":1,"code":0}\n{"ev":"end","tracer":"x","lo');
    l.end();
    assert.equal(got.length, 1);
    assert.equal(l.invalid, 4);
    assert.equal(l.firstInvalid, 'not json');
  });
});
