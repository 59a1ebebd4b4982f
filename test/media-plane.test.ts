/**
 * The media plane's own rules, with the playout decisions scripted: who is heard (a frame played or
 * time-stretched within 100 ms), the deafened hear nothing, the muted send nothing, a channel per peer
 * of the active call. A scripted controller keeps these tests off any real controller's choices.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallEvent } from '../protocol/api.ts';
import type { Millis, PeerId } from '../protocol/contract.ts';
import { fixedBuffer, FRAME_MS, type PlayoutController, type PlayoutInput, type PlayoutOutput, type TickAudio } from '../protocol/media/index.ts';
import { HEARING_WINDOW_MS, MediaPlane } from '../protocol/media-plane.ts';
import { decodeMedia } from '../protocol/media-wire.ts';

const test = suite('media plane: hearing, deafened, muted, with scripted playout');

/** A controller whose every tick plays the next audio type of its script (silence once it runs out). */
class ScriptedPlayout implements PlayoutController {
  readonly algorithm = 'scripted';
  readonly script: TickAudio['type'][] = [];
  private readonly idle = fixedBuffer();
  private pending: PlayoutOutput | undefined;
  private seq = 0;

  handle(input: PlayoutInput): void {
    if (input.type !== 'tick') return;
    const type = this.script.shift() ?? 'silence';
    const audio: TickAudio = type === 'silence' ? { type } : type === 'play' ? { type, seq: this.seq++, mediaMs: 0, waitedMs: 0 } : { type, seq: this.seq };
    this.pending = { type: 'audio', now: input.now, audio };
  }

  pollOutput(): PlayoutOutput | undefined {
    const out = this.pending;
    this.pending = undefined;
    return out;
  }

  stats() {
    return this.idle.stats();
  }

  targetDelayMs(): number {
    return 0;
  }
}

/** The type of the media message in `bytes`. */
function kindOf(bytes: Uint8Array): string {
  const decoded = decodeMedia(bytes);
  return decoded.ok ? decoded.message.type : `invalid: ${decoded.error.code}`;
}

/** Alice's plane in call c1 with bob, her controller for bob's stream scripted; what she sent and reported. */
function alice(options: { muted?: boolean; deafened?: boolean } = {}) {
  const controllers: ScriptedPlayout[] = [];
  const sent: { to: PeerId; kind: string }[] = [];
  const events: CallEvent[] = [];
  const plane = new MediaPlane(
    'alice',
    { syncIntervalMs: 250, syncRetryMs: 500, playout: 'callsim' },
    { send: (to, bytes) => sent.push({ to, kind: kindOf(bytes) }), event: (e) => events.push(e) },
    {
      name: 'scripted',
      create: () => {
        const c = new ScriptedPlayout();
        controllers.push(c);
        return c;
      },
    },
  );
  plane.update('c1', ['alice', 'bob'], options.muted ?? false, options.deafened ?? false, 0);
  /** Tick at each of the next `n` frames from `from`; bob's `hearing` after each. */
  const ticks = (from: Millis, n: number): boolean[] =>
    Array.from({ length: n }, (_, i) => {
      const now = from + (i + 1) * FRAME_MS;
      plane.tick(now);
      return plane.view(now)[0]!.hearing;
    });
  return { plane, controller: controllers[0]!, controllers, sent, events, ticks };
}

test('a stretched frame is bob heard: hearing holds through six stretches in a row, and ends 100 ms after the last', () => {
  const a = alice();
  a.controller.script.push('play', 'stretch', 'stretch', 'stretch', 'stretch', 'stretch', 'stretch', 'expand', 'expand', 'expand', 'expand', 'expand', 'expand', 'play');
  // 7 ticks heard (play + 6 stretches: 120 ms past the play), 5 expands within 100 ms of the last stretch, then not, then the play
  assert.equal(a.ticks(0, 14), [true, true, true, true, true, true, true, true, true, true, true, true, false, true]);
  assert.is(HEARING_WINDOW_MS, 5 * FRAME_MS);
  assert.is(a.plane.view(14 * FRAME_MS)[0]!.framesHeard, 2, 'frames heard counts the frames played only');
});

test('concealment and expansion are not hearing: a peer played once and then only concealed is not heard after 100 ms', () => {
  const a = alice();
  a.controller.script.push('play', 'conceal', 'expand', 'conceal', 'expand', 'conceal', 'conceal');
  assert.equal(a.ticks(0, 7), [true, true, true, true, true, true, false]);
  assert.is(a.plane.view(7 * FRAME_MS)[0]!.framesHeard, 1);
});

test('the deafened hear nothing: frames played and stretched while deafened are not heard, and hearing starts again with the first frame after', () => {
  const a = alice({ deafened: true });
  a.controller.script.push('play', 'stretch', 'play', 'play');
  assert.equal(a.ticks(0, 4), [false, false, false, false]);
  assert.is(a.plane.view(4 * FRAME_MS)[0]!.framesHeard, 0);
  a.plane.update('c1', ['alice', 'bob'], false, false, 4 * FRAME_MS);
  a.controller.script.push('conceal', 'play');
  assert.equal(a.ticks(4 * FRAME_MS, 2), [false, true]);
  assert.equal(a.controllers.length, 1, 'deafening keeps the channel and its controller');
});

test('the muted send nothing but still hear; unmuted, one frame a tick goes to every peer of the call', () => {
  const a = alice({ muted: true });
  a.controller.script.push('play', 'play');
  assert.equal(a.ticks(0, 2), [true, true]);
  assert.equal(a.sent, [{ to: 'bob', kind: 'sync1' }], 'the time sync runs while muted, but no audio goes out');
  a.plane.update('c1', ['alice', 'bob', 'carol'], false, false, 2 * FRAME_MS);
  a.ticks(2 * FRAME_MS, 3);
  const audio = a.sent.filter((s) => s.kind === 'audio');
  assert.equal(audio.map((s) => s.to), ['bob', 'carol', 'bob', 'carol', 'bob', 'carol']);
  assert.equal(a.plane.view(5 * FRAME_MS).map((v) => [v.peer, v.framesSent]), [['bob', 3], ['carol', 3]]);
});

test('a channel lives while both ends are in the call: leaving closes it, and a new one starts with a fresh controller', () => {
  const a = alice();
  a.plane.update(undefined, [], false, false, 100);
  assert.equal(a.plane.view(100), []);
  assert.is(a.plane.active, false);
  a.plane.update('c2', ['alice', 'bob'], false, false, 200);
  assert.equal(a.controllers.length, 2);
  assert.equal(a.events.map((e) => [e.type, 'callId' in e ? e.callId : undefined]), [['media-open', 'c1'], ['media-closed', 'c1'], ['media-open', 'c2']]);
});

test('an unknown playout algorithm is refused when the plane is made', () => {
  assert.throws(() => new MediaPlane('alice', { syncIntervalMs: 250, syncRetryMs: 500, playout: 'nope' }, { send() {}, event() {} }), /playout: expected one of fixed-3, ramjee-1, ramjee-4, neteq, callsim, got nope/);
});

test.run();
