/**
 * Progress lines for long steps, with the time left estimated from the pace so far: the grid's
 * "[3/32] gmm diag k=2; about 40 s left", and "silhouettes of 32 runs: 40%; about 3 s left" for a
 * step that reports the share of its work done.
 */

/** Seconds a step runs before it gives an estimate (the pace of a first moment says little). */
const SETTLE_SECONDS = 2;

/**
 * "; about 40 s left" from the pace so far, once the step has run for 2 s (parts differ in cost,
 * so it is a rough guide, said as such); "" before that.
 */
export function timeLeft(began: number, done: number, total: number): string {
  const elapsed = (performance.now() - began) / 1000;
  if (done <= 0 || elapsed < SETTLE_SECONDS) return "";
  const left = (elapsed / done) * (total - done);
  return `; about ${left < 60 ? `${Math.max(1, Math.round(left))} s` : `${Math.round(left / 60)} min`} left`;
}

/**
 * A step of `total` parts: each call announces the next `parts` parts (a line per call, as the
 * grid prints one per run) with the time left.
 */
export function countdown(total: number, say?: (message: string) => void): (label: string, parts?: number) => void {
  const began = performance.now();
  let done = 0;
  return (label, parts = 1) => {
    say?.(`[${done + 1}/${total}] ${label}${timeLeft(began, done, total)}`);
    done += parts;
  };
}

/**
 * A step that reports the share of its work done (0..1): says `label` with the share and the time
 * left once the step has run 2 s, then at most every 2 s, so a short step prints nothing.
 */
export function shareProgress(label: string, say?: (message: string) => void): ((fraction: number) => void) | undefined {
  if (!say) return undefined;
  const began = performance.now();
  let last = began;
  return (fraction) => {
    const now = performance.now();
    if (now - last < SETTLE_SECONDS * 1000 || fraction >= 1) return;
    last = now;
    say(`${label}: ${Math.round(100 * fraction)}%${timeLeft(began, fraction, 1)}`);
  };
}
