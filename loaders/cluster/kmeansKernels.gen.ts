/**
 * Writes kmeansKernels.generated.ts: the k-means block kernels whose inner loops depend on the
 * feature count d, specialised for d = 1..MAX_SPECIALISED, plus a generic set for any d. Both
 * compare rows with up to GROUP centres (or k-means++ candidates) at a time, whose running sums
 * stay in locals. Specialised kernels also hold the row's values and the centres' coordinates in
 * locals and form each squared distance as one unrolled expression: a whole k-means fit at
 * d = 8 takes 1.4× as long with the generic set (1.1× at d = 16). Both sum left to right, so
 * they round alike and give identical results (test/kmeansKernels.test.ts checks it).
 *
 *   npm run kernels
 *
 * test/kmeansKernels.test.ts fails while the checked-in file differs from what this writes.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GROUP } from "./kmeansLayout.ts";

/** Above this d the generic kernels run: unrolled code would only grow, for little gain. */
export const MAX_SPECIALISED = 12;
/** A group's coordinates are held in locals up to this many values (then read from the array). */
const LOCALS = 32;

export const GENERATED_PATH = fileURLToPath(new URL("./kmeansKernels.generated.ts", import.meta.url));

/** Code for one kernel set: `D` features (unrolled), or null for the generic set (loops over d). */
function kernelSet(D: number | null): string {
  const unroll = D !== null;
  const sfx = unroll ? String(D) : "Generic";
  const dv = unroll ? String(D) : "d";
  const js = unroll ? Array.from({ length: D }, (_, j) => j) : [];
  const at = (arr: string, off: string, j: number) => `${arr}[${off === "0" ? j : j === 0 ? off : `${off} + ${j}`}]`;
  const sumSq = (v: string) => js.map((j) => `${v}${j} * ${v}${j}`).join(" + ");

  /** Loads row values into locals x0..x{d−1} (unrolled); `xb` is the row's offset. */
  const loadRow = unroll ? `const ${js.map((j) => `x${j} = ${at("x", "xb", j)}`).join(", ")};` : "";
  /** Declares `const out` = squared distance between the row and `arr` at offset `off`. */
  const dist = (out: string, arr: string, off: string) =>
    unroll
      ? `const ${js.map((j) => `t${j} = x${j} - ${at(arr, off, j)}`).join(", ")};\nconst ${out} = ${sumSq("t")};`
      : `let ${out} = 0;\nfor (let j = 0; j < d; j++) {\nconst u = x[xb + j] - ${arr}[${off === "0" ? "j" : `${off} + j`}];\n${out} += u * u;\n}`;
  /** sums[base + j] ±= row value j. */
  const addRow = (sign: "+" | "-", base: string) =>
    unroll
      ? js.map((j) => `${at("sums", base, j)} ${sign}= x${j};`).join("\n")
      : `for (let j = 0; j < d; j++) sums[${base} + j] ${sign}= x[xb + j];`;
  const rows = (body: string) => `for (let i = start, xb = start * ${dv}; i < end; i++, xb += ${dv}) {\n${loadRow}\n${body}\n}`;
  const head = (name: string, destructure: string) =>
    `function ${name}${sfx}(s: KernelState, block: number, start: number, end: number): void {\n` +
    `const { ${unroll ? "" : "d, "}${destructure} } = s;`;
  // Block sums are formed in private copies and written back once: neighbouring blocks' counts
  // share cache lines, and two threads writing them row by row would contend for the lines.
  const blockSlices = `const sumsOut = s.sums.subarray(block * k * ${dv}, (block + 1) * k * ${dv});
    const countsOut = s.counts.subarray(block * k, (block + 1) * k);`;
  const writeBack = `sumsOut.set(sums);\ncountsOut.set(counts);`;
  /**
   * For each of the W rows of `arr` at offsets cb0..cb{W−1}, in order, `use(e, w)` with e its
   * squared distance to the row at xb: unrolled over features with coordinates from `coord`
   * (each in its own block), or (generic) after one loop over the features that reads each row
   * value once for all W.
   */
  const eachDistance = (W: number, arr: string, coord: (w: number, j: number) => string, use: (e: string, w: number) => string) => {
    const ws = Array.from({ length: W }, (_, w) => w);
    return unroll
      ? ws.map((w) => `{\nconst ${js.map((j) => `t${j} = x${j} - ${coord(w, j)}`).join(", ")};\n${use(sumSq("t"), w)}\n}`).join("\n")
      : `let ${ws.map((w) => `e${w} = 0`).join(", ")};
        for (let j = 0; j < d; j++) {
          const xj = x[xb + j];
          ${ws.map((w) => `const t${w} = xj - ${arr}[cb${w} + j];`).join("\n")}
          ${ws.map((w) => `e${w} += t${w} * t${w};`).join("\n")}
        }
        ${ws.map((w) => `{\n${use(`e${w}`, w)}\n}`).join("\n")}`;
  };
  /** Declares cb0..cb{W−1} (row offsets of the group in `arr`) and, if they fit, the coordinates as locals. */
  const groupPrelude = (W: number, arr: string, firstSlot: string) => {
    const ws = Array.from({ length: W }, (_, w) => w);
    const inLocals = unroll && W * D <= LOCALS;
    const coord = (w: number, j: number) => (inLocals ? `${arr[0]}${w}x${j}` : at(arr, `cb${w}`, j));
    const code =
      ws.map((w) => `const cb${w} = ${w === 0 ? firstSlot : `(${firstSlot} + ${w})`} * ${dv};`).join("\n") +
      (inLocals ? "\n" + ws.map((w) => `const ${js.map((j) => `${coord(w, j)} = ${at(arr, `cb${w}`, j)}`).join(", ")};`).join("\n") : "");
    return { code, coord };
  };

  /**
   * The pending k-means++ centre q joins row i (loaded; `c` = closest[i]). No triangle-
   * inequality pruning, here or for the candidates: on overlapping data its tests mispredict
   * more than they save, and with every distance known lower[i] is the exact second-smallest.
   */
  const pendingPrelude = `const q = s.ctrl[CTRL.arg];
    const pb = pendingSlot(k) * ${dv};`;
  const applyPending = `if (q >= 0) {
      ${dist("e", "cands", "pb")}
      if (e < c) {
        labels[i] = q;
        if (c < lower[i]) lower[i] = c;
        c = e;
        closest[i] = e;
      } else if (e < lower[i]) lower[i] = e;
    }`;

  const moments = `${head("moments", "x, statWidth")}
    const m = end - start;
    const o = block * statWidth;
    const mean = new Float64Array(${dv});
    const m2 = new Float64Array(${dv});
    ${
      unroll
        ? `let ${js.map((j) => `s${j} = 0`).join(", ")};
          ${rows(js.map((j) => `s${j} += x${j};`).join("\n"))}
          ${js.map((j) => `const mu${j} = s${j} / m;\ns${j} = 0;`).join("\n")}
          ${rows(js.map((j) => `{\nconst t = x${j} - mu${j};\ns${j} += t * t;\n}`).join("\n"))}
          ${js.map((j) => `mean[${j}] = mu${j};\nm2[${j}] = s${j};`).join("\n")}`
        : `${rows(`for (let j = 0; j < d; j++) mean[j] += x[xb + j];`)}
          for (let j = 0; j < d; j++) mean[j] /= m;
          ${rows(`for (let j = 0; j < d; j++) {\nconst t = x[xb + j] - mean[j];\nm2[j] += t * t;\n}`)}`
    }
    s.stat.set(mean, o);
    s.stat.set(m2, o + ${dv});
  }`;

  const ppFirst = `${head("ppFirst", "x, closest, lower, labels, cands")}
    let pot = 0;
    ${rows(`${dist("e", "cands", "0")}
      closest[i] = e;
      lower[i] = Infinity;
      labels[i] = 0;
      pot += e;`)}
    s.stat[block * s.statWidth] = pot;
  }`;

  // One k-means++ round over the rows: the pending centre joins, then `W` candidates are scored.
  // Math.min, unlike a comparison, compiles without a branch.
  const ppTrialsFor = (W: number) => {
    const ws = Array.from({ length: W }, (_, w) => w);
    const g = groupPrelude(W, "cands", "first");
    return `function ppTrials${sfx}x${W}(s: KernelState, block: number, start: number, end: number): void {
      const { ${unroll ? "" : "d, "}x, k, closest, lower, labels, cands } = s;
      const first = s.ctrl[CTRL.first];
      ${pendingPrelude}
      ${g.code}
      let ${ws.map((w) => `p${w} = 0`).join(", ")};
      ${rows(`let c = closest[i];
        ${applyPending}
        ${eachDistance(W, "cands", g.coord, (e, w) => `p${w} += Math.min(${e}, c);`)}`)}
      const o = block * s.statWidth + first;
      ${ws.map((w) => `s.stat[${w === 0 ? "o" : `o + ${w}`}] = p${w};`).join("\n")}
    }`;
  };
  const trialCounts = Array.from({ length: GROUP }, (_, w) => w + 1);
  const ppTrials = trialCounts.map(ppTrialsFor).join("\n\n");
  const ppTrialsTable = `[${trialCounts.map((w) => `ppTrials${sfx}x${w}`).join(", ")}]`;

  // First Lloyd step after k-means++. Every label is new (scikit-learn starts from labels -1):
  // this step never converges strictly.
  const seedSums = `${head("seedSums", "x, k, closest, labels, upper, lower, cands")}
    ${pendingPrelude}
    ${blockSlices}
    const sums = new Float64Array(k * ${dv});
    const counts = new Int32Array(k);
    ${rows(`let c = closest[i];
      ${applyPending}
      upper[i] = Math.sqrt(c);
      lower[i] = Math.sqrt(lower[i]);
      const a = labels[i];
      counts[a]++;
      const cb = a * ${dv};
      ${addRow("+", "cb")}`)}
    ${writeBack}
    s.stat[block * s.statWidth] = end - start;
  }`;

  /**
   * Blocked scan: the listed rows (scanRows[0..m)) against centres g0..g0+W−1, whose coordinates
   * are held in locals, updating each row's smallest and second-smallest squared distance so far
   * (scanD1, scanD2) and nearest centre (scanBest). Centres go in index order and only a strictly
   * smaller distance replaces the nearest, so ties go to the lower index as in a plain argmin.
   */
  const scanGroupFor = (W: number) => {
    const g = groupPrelude(W, "centers", "g0");
    return `function scanGroup${sfx}x${W}(s: KernelState, m: number, g0: number): void {
      const { ${unroll ? "" : "d, "}x, centers, scanRows, scanD1, scanD2, scanBest } = s;
      ${g.code}
      for (let r = 0; r < m; r++) {
        const xb = scanRows[r] * ${dv};
        ${loadRow}
        let d1 = scanD1[r], d2 = scanD2[r], best = scanBest[r];
        ${eachDistance(
          W,
          "centers",
          g.coord,
          (e, w) => `const e = ${e};
            if (e < d1) {
              d2 = d1;
              d1 = e;
              best = ${w === 0 ? "g0" : `g0 + ${w}`};
            } else if (e < d2) d2 = e;`
        )}
        scanD1[r] = d1;
        scanD2[r] = d2;
        scanBest[r] = best;
      }
    }`;
  };
  const groupCounts = Array.from({ length: GROUP }, (_, w) => w + 1);
  const scanGroups = groupCounts.map(scanGroupFor).join("\n\n");
  const scanTable = `[${groupCounts.map((w) => `scanGroup${sfx}x${w}`).join(", ")}]`;
  const scan = `${scanGroups}

    const scanGroups${sfx}: readonly ScanFn[] = ${scanTable};

    /** Nearest and second-nearest centre of the m listed rows, over all k centres. */
    function scan${sfx}(s: KernelState, m: number): void {
      const { k, scanD1, scanD2, scanBest } = s;
      scanD1.fill(Infinity, 0, m);
      scanD2.fill(Infinity, 0, m);
      scanBest.fill(0, 0, m);
      for (let g = 0; g < k; g += GROUP) scanGroups${sfx}[Math.min(GROUP, k - g) - 1](s, m, g);
    }`;

  // First Lloyd step from arbitrary centres: every row scanned (exact d1 ≤ d2 give the tightest
  // bounds); labels, Hamerly bounds and block sums from scratch.
  const assignAll = `${head("assignAll", "x, k, labels, upper, lower, scanRows, scanD1, scanD2, scanBest")}
    ${blockSlices}
    const sums = new Float64Array(k * ${dv});
    const counts = new Int32Array(k);
    const m = end - start;
    for (let r = 0; r < m; r++) scanRows[r] = start + r;
    scan${sfx}(s, m);
    ${rows(`const r = i - start;
      const best = scanBest[r];
      labels[i] = best;
      upper[i] = Math.sqrt(scanD1[r]);
      lower[i] = Math.sqrt(scanD2[r]);
      counts[best]++;
      const sb = best * ${dv};
      ${addRow("+", "sb")}`)}
    ${writeBack}
    s.stat[block * s.statWidth] = end - start;
  }`;

  // Later steps (Hamerly): bounds move with the centres (see KernelState.drift); rows whose upper
  // bound exceeds both the lower bound and half the gap to the nearest other centre get their
  // own distance, and if that still exceeds them, a scan over all centres. Block sums follow
  // the rows that change cluster (in row order), or are recomputed (flag 1).
  const assign = `${head("assign", "x, k, centers, labels, upper, lower, half, drift, scanRows, scanD1, scanD2, scanBest")}
    ${blockSlices}
    const sums = new Float64Array(sumsOut);
    const counts = new Int32Array(countsOut);
    const recompute = s.ctrl[CTRL.flags] === 1;
    const skipMargin = SKIP_MARGIN;
    // The bound test alone first, without a branch (the list only grows where it fails).
    let listed = 0;
    for (let i = start; i < end; i++) {
      const a = labels[i];
      const du = drift[a];
      const dl = drift[k + a];
      const b = Math.max(half[a], lower[i] - dl);
      const bound = b - (b + du + dl) * skipMargin;
      scanRows[listed] = i;
      scanD1[listed] = bound;
      listed += upper[i] + du > bound ? 1 : 0;
    }
    // Own distances first (many listed rows pass with them), then a blocked scan of the rest.
    let m = 0;
    for (let r = 0; r < listed; r++) {
      const i = scanRows[r];
      const xb = i * ${dv};
      ${loadRow}
      const a = labels[i];
      const ab = a * ${dv};
      ${dist("own", "centers", "ab")}
      const u = Math.sqrt(own);
      if (u > scanD1[r]) scanRows[m++] = i;
      else upper[i] = u - drift[a];
    }
    scan${sfx}(s, m);
    let changed = 0;
    for (let r = 0; r < m; r++) {
      const i = scanRows[r];
      const a = labels[i];
      const best = scanBest[r];
      upper[i] = Math.sqrt(scanD1[r]) - drift[best];
      lower[i] = Math.sqrt(scanD2[r]) + drift[k + best];
      if (best !== a) {
        labels[i] = best;
        changed++;
        if (!recompute) {
          counts[a]--;
          counts[best]++;
          const xb = i * ${dv};
          ${loadRow}
          const ab = a * ${dv};
          const nb = best * ${dv};
          ${addRow("-", "ab")}
          ${addRow("+", "nb")}
        }
      }
    }
    if (recompute) {
      sums.fill(0);
      counts.fill(0);
      ${rows(`const c = labels[i];
        counts[c]++;
        const cb = c * ${dv};
        ${addRow("+", "cb")}`)}
    }
    ${writeBack}
    s.stat[block * s.statWidth] = changed;
  }`;

  const inertia = `${head("inertia", "x, centers, labels")}
    let sum = 0;
    ${rows(`const cb = labels[i] * ${dv};
      ${dist("e", "centers", "cb")}
      sum += e;`)}
    s.stat[block * s.statWidth] = sum;
  }`;

  const table = `${unroll ? "" : "export "}const kernels${sfx}: BlockKernels = {
    moments: moments${sfx},
    ppFirst: ppFirst${sfx},
    ppTrials: ${ppTrialsTable},
    seedSums: seedSums${sfx},
    assignAll: assignAll${sfx},
    assign: assign${sfx},
    inertia: inertia${sfx}
  };`;
  return [`// ---- ${unroll ? `d = ${D}` : "any d"} ----`, moments, ppFirst, ppTrials, seedSums, scan, assignAll, assign, inertia, table].join("\n\n");
}

/** Re-indents generated code by brace depth (the templates above are indented for their own reading). */
export function indent(code: string): string {
  let depth = 0;
  const out: string[] = [];
  for (const raw of code.split("\n")) {
    const line = raw.trim();
    if (line === "") {
      // Blank lines only between top-level declarations.
      if (depth === 0 && out.length && out[out.length - 1] !== "") out.push("");
      continue;
    }
    const opens = (line.match(/[{[]/g) ?? []).length;
    const closes = (line.match(/[}\]]/g) ?? []).length;
    const leading = /^[}\]]/.test(line) ? 1 : 0;
    out.push("  ".repeat(Math.max(0, depth - leading)) + line);
    depth += opens - closes;
  }
  return out.join("\n");
}

export function generateKernels(): string {
  const specialised = Array.from({ length: MAX_SPECIALISED }, (_, i) => i + 1);
  const lookup = `const specialised: readonly BlockKernels[] = [${specialised.map((d) => `kernels${d}`).join(", ")}];

    /** The kernels for d features: unrolled for d ≤ ${MAX_SPECIALISED}, loops above. */
    export function kernelsFor(d: number): BlockKernels {
      return d >= 1 && d <= ${MAX_SPECIALISED} ? specialised[d - 1] : kernelsGeneric;
    }`;
  const body = [kernelSet(null), ...specialised.map(kernelSet), lookup].join("\n\n");
  return `// Generated by kmeansKernels.gen.ts: do not edit; edit the generator and run
// npm run kernels
import { CTRL, GROUP, SKIP_MARGIN, pendingSlot, type BlockKernels, type KernelState } from "./kmeansLayout.ts";

type ScanFn = (s: KernelState, m: number, g0: number) => void;

${indent(body)}
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(GENERATED_PATH, generateKernels());
  console.log(`wrote ${GENERATED_PATH}`);
}
