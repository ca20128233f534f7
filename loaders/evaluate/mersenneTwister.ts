/**
 * MT19937 (Matsumoto & Nishimura 1998) exactly as random-js 2.1.0 implements
 * MersenneTwister19937.seed, next() and integer(0, n - 1). ml-random-forest 2.1.0 drew its
 * bootstrap rows and feature subsets from it, so reproducing it keeps the forests that a seed
 * gave when we trained through that library. Our own sampling uses Rng (../rng.ts).
 */
const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;

export class MersenneTwister {
  private readonly state = new Int32Array(N);
  private index = N;

  /** random-js seeds with the int32 value of `seed`. */
  constructor(seed: number) {
    let previous = seed | 0;
    this.state[0] = previous;
    for (let i = 1; i < N; i++) {
      previous = (Math.imul(previous ^ (previous >>> 30), 0x6c078965) + i) | 0;
      this.state[i] = previous;
    }
  }

  /** Next tempered output as an int32 (random-js's next()). */
  next(): number {
    if (this.index >= N) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    return (y ^ (y >>> 18)) | 0;
  }

  /**
   * Uniform integer in [0, n) as random-js's integer(0, n - 1) draws it for n < 2³²: no draw when
   * n = 1, else the unsigned output modulo n, rejecting the top partial block. (random-js masks
   * when n is a power of two, which is the same: nothing is rejected and the mask is the modulo.)
   */
  below(n: number): number {
    if (n <= 1) return 0;
    const maximum = n * Math.floor(0x100000000 / n);
    let value: number;
    do value = this.next() >>> 0;
    while (value >= maximum);
    return value % n;
  }

  private twist(): void {
    const s = this.state;
    for (let k = 0; k < N; k++) {
      const y = (s[k] & UPPER) | (s[(k + 1) % N] & LOWER);
      s[k] = s[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }
}
