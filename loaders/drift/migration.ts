/**
 * Where customers went between two snapshots of the same segmentation: a from × to table for
 * customers present at both, plus who left and who arrived, matched by customer id (row order
 * may differ). Segment ids are compared as they are: the later labels are expected to come from
 * the earlier model (its predictions on the later data), so segment s means the same at both.
 *
 * Groups are the segments 0..k−1 of each side, then noise (−1) last when that side has any, so
 * index s is segment s for every real segment.
 */
import { WorkbenchError } from "../errors.ts";
import { NOISE } from "../evaluate/labels.ts";

export interface Snapshot {
  /** Customer ids, one per row, distinct. */
  ids: string[];
  /** Segment of each row: 0..k−1, or −1 for noise. */
  labels: ArrayLike<number>;
  /** Number of segments. */
  k: number;
}

export interface Migration {
  /** Customers present at both snapshots. */
  common: number;
  /** Customers only in the later snapshot. */
  entered: number;
  /** Customers only in the earlier snapshot. */
  left: number;
  /** Earlier groups: 0..k−1, then −1 if any earlier label is noise. */
  from: number[];
  /** Later groups, likewise. */
  to: number[];
  /** counts[r][c]: customers present at both, in from[r] earlier and to[c] later. */
  counts: number[][];
  /** Common customers in the same group at both snapshots (noise staying noise included). */
  stayed: number;
  /** New customers per later group (aligned with `to`). */
  entering: number[];
  /** Departed customers per earlier group (aligned with `from`). */
  leaving: number[];
  /** Share of each group among all customers of that snapshot (aligned with from / to). */
  shares: { from: number[]; to: number[] };
}

export function migration(earlier: Snapshot, later: Snapshot): Migration {
  const e = groupCodes(earlier, "earlier");
  const l = groupCodes(later, "later");
  const index = idIndex(earlier.ids, "earlier");
  const seenLater = new Set<string>();
  const C = l.groups.length;
  const flat = new Float64Array(e.groups.length * C);
  const entering = new Array<number>(C).fill(0);
  const present = new Uint8Array(earlier.ids.length);
  let common = 0;
  for (let j = 0; j < later.ids.length; j++) {
    const id = later.ids[j];
    if (seenLater.has(id)) throw duplicate(id, "later");
    seenLater.add(id);
    const i = index.get(id);
    if (i === undefined) {
      entering[l.codes[j]]++;
      continue;
    }
    present[i] = 1;
    common++;
    flat[e.codes[i] * C + l.codes[j]]++;
  }
  const leaving = new Array<number>(e.groups.length).fill(0);
  for (let i = 0; i < present.length; i++) if (!present[i]) leaving[e.codes[i]]++;
  const counts: number[][] = [];
  for (let r = 0; r < e.groups.length; r++) counts.push(Array.from(flat.subarray(r * C, r * C + C)));
  let stayed = 0;
  e.groups.forEach((g, r) => {
    const c = l.groups.indexOf(g);
    if (c >= 0) stayed += counts[r][c];
  });
  return {
    common,
    entered: later.ids.length - common,
    left: earlier.ids.length - common,
    from: e.groups,
    to: l.groups,
    counts,
    stayed,
    entering,
    leaving,
    shares: { from: e.shares, to: l.shares }
  };
}

/** Share (0..1) of common customers who kept their group; null when no customer is common. */
export function stayedShare(m: Migration): number | null {
  return m.common === 0 ? null : m.stayed / m.common;
}

export interface ShareChange {
  /** The group whose share moved most (−1 = noise). */
  segment: number;
  /** Its share of all customers at each snapshot (0 where the group is absent). */
  from: number;
  to: number;
  /** to − from in percentage points. */
  points: number;
}

/** The group whose share of customers changed most, in percentage points (first on ties). */
export function maxShareChange(m: Migration): ShareChange {
  const groups = [...new Set([...m.from, ...m.to])];
  let best: ShareChange = { segment: groups[0], from: 0, to: 0, points: 0 };
  for (const g of groups) {
    const r = m.from.indexOf(g);
    const c = m.to.indexOf(g);
    const from = r >= 0 ? m.shares.from[r] : 0;
    const to = c >= 0 ? m.shares.to[c] : 0;
    const points = (to - from) * 100;
    if (Math.abs(points) > Math.abs(best.points)) best = { segment: g, from, to, points };
  }
  return best;
}

/**
 * Rows of `later` whose id also appears in `earlier`, ascending: select the carried and
 * refitted labels with these to compare them on common customers.
 */
export function commonRows(earlierIds: string[], laterIds: string[]): Int32Array {
  const index = idIndex(earlierIds, "earlier");
  idIndex(laterIds, "later");
  const rows: number[] = [];
  for (let j = 0; j < laterIds.length; j++) if (index.has(laterIds[j])) rows.push(j);
  return Int32Array.from(rows);
}

/** Id → row, refusing a repeated id (a customer in two rows would be counted twice). */
function idIndex(ids: string[], what: string): Map<string, number> {
  const index = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) {
    if (index.has(ids[i])) throw duplicate(ids[i], what);
    index.set(ids[i], i);
  }
  return index;
}

function duplicate(id: string, what: string): WorkbenchError {
  return new WorkbenchError(`customer id ${JSON.stringify(id)} appears more than once in the ${what} snapshot`, {
    expected: "one row per customer",
    hint: "remove or merge the repeated rows before comparing snapshots"
  });
}

/** Each row's group index (segment s → s, noise → k), the groups present and their shares. */
function groupCodes(s: Snapshot, what: string): { codes: Int32Array; groups: number[]; shares: number[] } {
  const { ids, labels, k } = s;
  if (!Number.isInteger(k) || k < 1) {
    throw new WorkbenchError(`invalid number of segments for the ${what} snapshot`, { found: String(k), expected: "an integer ≥ 1" });
  }
  if (labels.length !== ids.length) {
    throw new WorkbenchError(`the ${what} snapshot has ${ids.length} ids but ${labels.length} labels`, {
      expected: "one label per customer id"
    });
  }
  const codes = new Int32Array(ids.length);
  const sizes = new Float64Array(k + 1);
  for (let i = 0; i < ids.length; i++) {
    const v = labels[i];
    if (v !== NOISE && !(Number.isInteger(v) && v >= 0 && v < k)) {
      throw new WorkbenchError(`the ${what} snapshot has an invalid segment label at row ${i}`, {
        found: String(v),
        expected: `a segment 0..${k - 1}, or -1 for noise`
      });
    }
    codes[i] = v === NOISE ? k : v;
    sizes[codes[i]]++;
  }
  const groups = Array.from({ length: k }, (_, c) => c);
  if (sizes[k] > 0) groups.push(NOISE);
  const n = ids.length;
  const shares = groups.map((_, c) => (n === 0 ? 0 : sizes[c] / n));
  return { codes, groups, shares };
}
