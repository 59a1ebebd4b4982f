/**
 * A scenario file is checked whole before it runs: every field and every step's action, each refusal a
 * `ConfigError` naming the scenario, the field and what it allows (the CLI prints it and exits 2), so a
 * typo never crashes the runner or runs as something else.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CATALOG } from '../scenarios/catalog/index.ts';
import { defineScenario, type Scenario } from '../scenarios/scenario.ts';
import { ConfigError } from '../sim/index.ts';

const test = suite('scenario files: every field and action checked before the run');

/** A minimal valid scenario with `fields` over it. */
const scenario = (fields: Record<string, unknown>): Scenario => ({ name: 's', title: 't', requirements: [], peers: ['a', 'b'], steps: [], durationMs: 1000, ...fields }) as unknown as Scenario;
/** A scenario whose one step is `action` by `a` at 0 ms. */
const step = (action: Record<string, unknown>): Scenario => scenario({ steps: [[0, 'a', action]] });

test('the catalog and a minimal scenario pass', () => {
  for (const s of CATALOG) assert.is(defineScenario(s), s);
  assert.ok(defineScenario(scenario({ steps: [[0, 'a', { type: 'dial', peers: ['b'] }], [10, 'b', { type: 'join', call: 'c1' }], [20, 'b', { type: 'leave' }]] })));
});

test('bad fields and actions are refused, naming the field, what it allows and what it got', () => {
  const cases: [Scenario, string][] = [
    [scenario({ peers: ['a', 'b c'] }), 'scenario s: peers[1]: expected 1 to 64 of A-Z a-z 0-9 _ . : -, got "b c"'],
    [scenario({ offline: 'a' }), 'scenario s: offline: expected a list of peers (a, b), got "a"'],
    [scenario({ puppets: ['z'] }), 'scenario s: puppets[0]: expected one of the peers (a, b), got "z"'],
    [scenario({ clocks: { a: { offsetMs: 'x' } } }), 'scenario s: clocks.a.offsetMs: expected a finite number, got "x"'],
    [scenario({ clocks: { a: { driftPpm: 2e6 } } }), 'scenario s: clocks.a.driftPpm: expected a number strictly between -1000000 and 1000000, got 2000000'],
    [scenario({ networks: [] }), 'scenario s: networks: expected a non-empty list of presets or link settings, got []'],
    [scenario({ links: [{ from: 'a', to: 'b', settings: 'wifi', channel: 'video' }] }), 'scenario s: links[0].channel: expected \'signaling\' or \'media\', got "video"'],
    [scenario({ links: [{ from: 'a', to: 'b' }] }), 'scenario s: links[0].settings: expected a preset name or link settings, got undefined'],
    [scenario({ config: { ringTimeoutMs: -1 } }), 'scenario s: config.ringTimeoutMs: expected a number > 0, got -1'],
    [scenario({ config: { playout: 'jitterbuf' } }), 'scenario s: config.playout: expected one of fixed-3, ramjee-1, ramjee-4, neteq, callsim, got "jitterbuf"'],
    [scenario({ expect: 5 }), 'scenario s: expect: expected a function from the session to a list of failures, got 5'],
    [scenario({ seed: -1 }), 'scenario s: seed: expected a non-negative integer, got -1'],
    [scenario({ settle: true }), 'scenario s: settle: expected false or { boundMs? }, got true'],
    [scenario({ forgetsIdleCalls: 'yes' }), 'scenario s: forgetsIdleCalls: expected true or false, got "yes"'],
    [step({ type: 'dial' }), 'scenario s: steps[0][2].peers: expected a list of peers (a, b), got undefined'],
    [step({ type: 'dial', peers: 'b' }), 'scenario s: steps[0][2].peers: expected a list of peers (a, b), got "b"'],
    [step({ type: 'join' }), "scenario s: steps[0][2].call: expected a call label (c1) or an index into the node's calls, got undefined"],
    [step({ type: 'leave', call: 1.5 }), "scenario s: steps[0][2].call: expected a call label (c1) or an index into the node's calls, got 1.5"],
    [step({ type: 'mute', muted: 'yes' }), 'scenario s: steps[0][2].muted: expected true or false, got "yes"'],
    [step({ type: 'deafen' }), 'scenario s: steps[0][2].deafened: expected true or false, got undefined'],
    [step({ type: 'partition' }), 'scenario s: steps[0][2].from: expected a list of peers (a, b), got undefined'],
    [step({ type: 'partition', from: ['b'], oneWay: 1 }), 'scenario s: steps[0][2].oneWay: expected true or false, got 1'],
    [step({ type: 'heal', with: ['z'] }), 'scenario s: steps[0][2].with[0]: expected one of the peers (a, b), got "z"'],
    [step({ type: 'hold', to: 'b', channel: 'x' }), 'scenario s: steps[0][2].channel: expected \'signaling\' or \'media\', got "x"'],
    [step({ type: 'clock', offsetMs: Infinity }), 'scenario s: steps[0][2].offsetMs: expected a finite number, got Infinity'],
    [step({ type: 'set-link', to: 'b', link: { loss: 0.1 } }), 'scenario s: steps[0][2].settings: expected a preset name or link settings, got undefined'],
    [step({ type: 'set-link', to: 'b', settings: 'lte' }), 'scenario s: steps[0][2].settings: expected one of perfect, wifi, wifi-lossy, wifi-stall, 4g, 3.5g, 3g, edge, cellular, satellite, congested, high-latency, high-jitter, got "lte"'],
    [step({ type: 'forge', to: 'b', bytes: [1, 2] }), 'scenario s: steps[0][2].bytes: expected a function from the session to the bytes to send, got [1,2]'],
  ];
  for (const [s, message] of cases) {
    assert.throws(() => defineScenario(s), (e: Error) => e instanceof ConfigError && e.message === message, message);
  }
});

test.run();
