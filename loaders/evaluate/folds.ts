/**
 * Stratified resampling for the supervised checks: k-fold splits, a hold-out split and a
 * subsample, each keeping every class's share (within one row) and driven by our seeded Rng.
 */
import { checkParam, WorkbenchError } from "../errors.ts";
import type { Rng } from "../rng.ts";
import { encodeLabels } from "./labels.ts";

export type ClassLabels = readonly string[] | ArrayLike<number>;

/**
 * Row indices of each class, each list shuffled; classes in ascending label order. Integer
 * label v is called classNames[v] in messages when given.
 */
function shuffledClasses(labels: ClassLabels, rng: Rng, classNames?: readonly string[]): { name: string; rows: number[] }[] {
  const enc = encodeLabels(labels as ArrayLike<string | number>, { sorted: true });
  const rows = enc.names.map(() => [] as number[]);
  for (let i = 0; i < enc.codes.length; i++) rows[enc.codes[i]].push(i);
  const nameOf = (v: string | number) => (typeof v === "number" ? classNames?.[v] ?? String(v) : v);
  return enc.names.map((v, c) => ({ name: nameOf(v), rows: rng.shuffle(rows[c]) }));
}

/**
 * Test indices (ascending) of k folds. Like sklearn's StratifiedKFold(shuffle=True) in spirit:
 * the rows are dealt round-robin to the folds class after class, each class shuffled first,
 * so every class's rows per fold differ by at most one and fold sizes differ by at most one.
 * Throws if a class has fewer rows than folds (a fold would miss that class). Integer label v
 * is called classNames[v] in that message when given.
 */
export function stratifiedKFold(labels: ClassLabels, k = 5, rng: Rng, classNames?: readonly string[]): Int32Array[] {
  checkParam(Number.isInteger(k) && k >= 2, "folds", k, "an integer ≥ 2");
  const classes = shuffledClasses(labels, rng, classNames);
  for (const { name, rows } of classes) {
    if (rows.length < k) {
      throw new WorkbenchError(`class "${name}" has only ${rows.length} row${rows.length === 1 ? "" : "s"}, fewer than folds = ${k}`, {
        column: "folds",
        found: String(k),
        expected: `at most ${rows.length} folds (the smallest class size)`,
        hint: `use fewer folds, or merge or drop class "${name}"`
      });
    }
  }
  const folds = Array.from({ length: k }, () => [] as number[]);
  let next = 0;
  for (const { rows } of classes) for (const i of rows) folds[next++ % k].push(i);
  return folds.map((f) => Int32Array.from(f).sort());
}

/** The rows 0..n-1 not in `test`, ascending (the training part of a fold). */
export function complementIndices(n: number, test: ArrayLike<number>): Int32Array {
  const inTest = new Uint8Array(n);
  for (let i = 0; i < test.length; i++) inTest[test[i]] = 1;
  const out = new Int32Array(n - test.length);
  let r = 0;
  for (let i = 0; i < n; i++) if (!inTest[i]) out[r++] = i;
  return out;
}

export interface HoldoutSplit {
  train: Int32Array;
  test: Int32Array;
}

/**
 * One stratified train/test split: each class puts round(size × testShare) rows in the test
 * set, but at least one and never all of them, so every class is in both parts.
 */
export function stratifiedHoldout(labels: ClassLabels, testShare = 0.25, rng: Rng, classNames?: readonly string[]): HoldoutSplit {
  checkParam(testShare > 0 && testShare < 1, "testShare", testShare, "a number strictly between 0 and 1");
  const train: number[] = [];
  const test: number[] = [];
  for (const { name, rows } of shuffledClasses(labels, rng, classNames)) {
    if (rows.length < 2) {
      throw new WorkbenchError(`class "${name}" has only 1 row, so it cannot be in both the training and the test part`, {
        hint: `merge or drop class "${name}"`
      });
    }
    const nTest = Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * testShare)));
    test.push(...rows.slice(0, nTest));
    train.push(...rows.slice(nTest));
  }
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}

/**
 * At most `maxRows` row indices (ascending), classes in proportion (largest remainders), each
 * class keeping at least min(its size, minPerClass) rows so that small classes survive.
 * Returns all rows when n ≤ maxRows.
 */
export function stratifiedSubsample(labels: ClassLabels, maxRows: number, rng: Rng, minPerClass = 1): Int32Array {
  checkParam(Number.isInteger(maxRows) && maxRows >= 1, "maxRows", maxRows, "an integer ≥ 1");
  const n = labels.length;
  if (n <= maxRows) return Int32Array.from({ length: n }, (_, i) => i);
  const classes = shuffledClasses(labels, rng);
  const floor = classes.map(({ rows }) => Math.min(rows.length, minPerClass));
  const free = Math.max(0, maxRows - floor.reduce((a, b) => a + b, 0));
  const spare = classes.map(({ rows }, c) => rows.length - floor[c]);
  const spareTotal = spare.reduce((a, b) => a + b, 0);
  const exact = spare.map((s) => (free * s) / spareTotal);
  const take = exact.map((x, c) => floor[c] + Math.floor(x));
  let left = Math.min(maxRows, n) - take.reduce((a, b) => a + b, 0);
  const order = exact.map((x, c) => [x - Math.floor(x), c]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let r = 0; left > 0 && r < order.length; r++) {
    const c = order[r][1];
    if (take[c] < classes[c].rows.length) {
      take[c]++;
      left--;
    }
  }
  const out: number[] = [];
  classes.forEach(({ rows }, c) => out.push(...rows.slice(0, take[c])));
  return Int32Array.from(out).sort();
}
