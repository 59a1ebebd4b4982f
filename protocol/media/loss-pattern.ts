/**
 * The played / not-played pattern of a stream's frames in sequence order, fitted with the 2-state
 * Markov model of the E-model's BurstR: p = P(not played | previous played) = loss starts / frames
 * played, r = P(played | previous not played) = loss ends / frames not played, BurstR = 1 / (p + r).
 */
import { burstRatio } from './emodel.ts';

/** Counts of a played / not-played sequence. */
export class LossPattern {
  /** Frames played. */
  played = 0;
  /** Frames not played. */
  missed = 0;
  /** Not-played frames right after a played one. */
  starts = 0;
  /** Played frames right after a not-played one. */
  ends = 0;
  private last = true;

  /** The next frame in sequence order was played or not. */
  note(played: boolean): void {
    if (played) this.played++;
    else this.missed++;
    if (played && !this.last) this.ends++;
    if (!played && this.last) this.starts++;
    this.last = played;
  }

  /** BurstR, at least 1 (spreading losses out never scores better than random loss); 1 with no loss. */
  burstR(): number {
    if (this.missed === 0 || this.played === 0) return 1;
    return Math.max(1, burstRatio(this.starts / this.played, this.ends / this.missed));
  }
}
