/**
 * Writes kmeansKernels.generated.wasm, assembled from the WebAssembly text generated here:
 * versions of the two k-means kernels that take most of a fit, the k-means++ round (ppTrials)
 * and Hamerly's Lloyd step (assign), for d = 1..MAX_SPECIALISED features.
 *
 * Why WebAssembly: with SIMD a row pair's distances are formed two at a time, and comparisons
 * become selects instead of branches; on 1M × 8 rows a k-means++ round takes 12 ms instead of
 * 26 ms. Two rows share a vector, one per lane, and each lane adds its features' squared
 * differences left to right like the TypeScript kernels (there is no fused multiply-add), so the
 * results are the same bit for bit (test/kmeansWasm.test.ts checks it). Everything else (and a
 * Lloyd step that recomputes block sums) stays in the TypeScript kernels, on the same memory.
 *
 *   npm run kernels
 *
 * (`--wat FILE` also writes the text, to read it.) test/kmeansWasm.test.ts fails while the
 * checked-in binary differs from what this writes.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GROUP, WASM_MAX_PAGES } from "./kmeansLayout.ts";
import { MAX_SPECIALISED } from "./kmeansKernels.gen.ts";

export const WASM_PATH = fileURLToPath(new URL("./kmeansKernels.generated.wasm", import.meta.url));

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const get = (v: string) => `(local.get $${v})`;
/** Byte address `base + index × size` (index an i32 expression). */
const addr = (base: string, index: string, size: number) =>
  `(i32.add ${get(base)} ${size === 1 ? index : `(i32.mul ${index} (i32.const ${size}))`})`;
/** An f64x2 comparison mask narrowed to i32 lanes 0 and 1 (for two i32 labels). */
const narrow = (mask: string) => `(i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 ${mask} ${mask})`;

/**
 * How a kernel body handles rows: two at a time (f64x2, row a in lane 0, row b in lane 1) or
 * one (f64, for an odd row left over). Locals are named apart so one function holds both.
 */
interface Lanes {
  pair: boolean;
  /** Value type of one row's number: "f64x2" or "f64". */
  t: "f64x2" | "f64";
  /** Local type: "v128" or "f64". */
  local: "v128" | "f64";
  /** Prefix of this kind's locals. */
  p: "v" | "s";
  load: string;
  store: string;
  /** a where mask, else b. */
  sel(a: string, b: string, mask: string): string;
}
const PAIR: Lanes = {
  pair: true,
  t: "f64x2",
  local: "v128",
  p: "v",
  load: "v128.load",
  store: "v128.store",
  sel: (a, b, m) => `(v128.bitselect ${a} ${b} ${m})`
};
const SINGLE: Lanes = {
  pair: false,
  t: "f64",
  local: "f64",
  p: "s",
  load: "f64.load",
  store: "f64.store",
  sel: (a, b, m) => `(select ${a} ${b} ${m})`
};
/** Per-lane-kind scratch locals besides the row's x0..: t, e (a distance), c, m, l, k (a mask). */
const SCRATCH = ["t", "e", "c", "m", "l", "k"];

/** Locals of both lane kinds for D features (a single row's mask k is an i32, as f64.lt gives). */
function laneLocals(D: number): string {
  return [PAIR, SINGLE]
    .map((L) =>
      [
        ...range(D).map((j) => `(local $${L.p}x${j} ${L.local})`),
        ...SCRATCH.map((n) => `(local $${L.p}${n} ${n === "k" && !L.pair ? "i32" : L.local})`)
      ].join(" ")
    )
    .join("\n");
}

/** Sets the row's x locals from the row at byte address local `ra` (and, for a pair, `rb`). */
function loadRow(D: number, L: Lanes): string {
  const out: string[] = [];
  if (!L.pair) {
    for (const j of range(D)) out.push(`(local.set $sx${j} (f64.load offset=${j * 8} ${get("ra")}))`);
    return out.join("\n");
  }
  for (let j = 0; j + 1 < D; j += 2) {
    out.push(`(local.set $va (v128.load offset=${j * 8} ${get("ra")}))`);
    out.push(`(local.set $vb (v128.load offset=${j * 8} ${get("rb")}))`);
    out.push(`(local.set $vx${j} (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${get("va")} ${get("vb")}))`);
    out.push(`(local.set $vx${j + 1} (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 ${get("va")} ${get("vb")}))`);
  }
  if (D % 2 === 1) {
    const j = D - 1;
    out.push(`(local.set $vx${j} (v128.load64_lane offset=${j * 8} 1 ${get("rb")} (v128.load64_zero offset=${j * 8} ${get("ra")})))`);
  }
  return out.join("\n");
}

/** Sets local e to Σ_j (x_j − coord(j))², added left to right as in the TypeScript kernels. */
function distance(D: number, L: Lanes, coord: (j: number) => string): string {
  const out: string[] = [];
  const t = get(`${L.p}t`);
  for (const j of range(D)) {
    out.push(`(local.set $${L.p}t (${L.t}.sub ${get(`${L.p}x${j}`)} ${coord(j)}))`);
    const sq = `(${L.t}.mul ${t} ${t})`;
    out.push(`(local.set $${L.p}e ${j === 0 ? sq : `(${L.t}.add ${get(`${L.p}e`)} ${sq})`})`);
  }
  return out.join("\n");
}

/**
 * Locals for the coordinates of named points (candidates c0.., the pending centre q): f64
 * s<name>_<j> and its splat v<name>_<j>, j = 0..D−1. loadCoords fills them from row `row` of the
 * points at byte address local `base`.
 */
function coordLocals(names: string[], D: number): string {
  return names.flatMap((n) => range(D).map((j) => `(local $s${n}_${j} f64) (local $v${n}_${j} v128)`)).join(" ");
}
function loadCoords(name: string, base: string, row: number, D: number): string {
  return range(D)
    .map((j) => `(local.set $s${name}_${j} (f64.load offset=${(row * D + j) * 8} ${get(base)})) (local.set $v${name}_${j} (f64x2.splat ${get(`s${name}_${j}`)}))`)
    .join("\n");
}
const coordOf = (L: Lanes, name: string) => (j: number) => get(`${L.p}${name}_${j}`);

/**
 * Rows start..end−1 in pairs, then an odd last row alone: `body(L)` with local i the row
 * index and ra (rb) the row's byte address.
 */
function pairsThenOne(D: number, body: (L: Lanes) => string): string {
  const set = (L: Lanes) =>
    `(local.set $ra ${addr("x", get("i"), D * 8)})${L.pair ? `\n(local.set $rb (i32.add ${get("ra")} (i32.const ${D * 8})))` : ""}\n${loadRow(D, L)}`;
  return `(local.set $i ${get("start")})
    (block $pairsDone (loop $pairs
      (br_if $pairsDone (i32.gt_s (i32.add ${get("i")} (i32.const 2)) ${get("end")}))
      ${set(PAIR)}
      ${body(PAIR)}
      (local.set $i (i32.add ${get("i")} (i32.const 2)))
      (br $pairs)))
    (if (i32.lt_s ${get("i")} ${get("end")}) (then
      ${set(SINGLE)}
      ${body(SINGLE)}))`;
}

/**
 * One k-means++ round over rows start..end−1 (OP.ppTrials): the pending centre (coordinates at
 * `pend`, index q; none if q < 0) joins, then the W candidates at `cand` are scored; their
 * potentials, summed in row order, are stored as W f64 at `out`.
 */
function ppTrials(D: number, W: number): string {
  const ws = range(W);
  const body = (pending: boolean) => (L: Lanes) => {
    const v = (n: string) => get(`${L.p}${n}`);
    const set = (n: string, value: string) => `(local.set $${L.p}${n} ${value})`;
    const lt = (a: string, b: string) => `(${L.t}.lt ${a} ${b})`;
    const at = (arr: string) => addr(arr, `(i32.shl ${get("i")} (i32.const 3))`, 1);
    const out = [set("c", `(${L.load} ${at("closest")})`)];
    if (pending) {
      // e < c: label q, lower min(lower, c), closest e; else lower min(lower, e).
      out.push(distance(D, L, coordOf(L, "q")));
      out.push(set("k", lt(v("e"), v("c"))));
      out.push(set("m", L.sel(v("c"), v("e"), v("k"))));
      out.push(set("l", `(${L.load} ${at("lower")})`));
      out.push(`(${L.store} ${at("lower")} ${L.sel(v("m"), v("l"), lt(v("m"), v("l")))})`);
      out.push(set("c", L.sel(v("e"), v("c"), v("k"))));
      out.push(`(${L.store} ${at("closest")} ${v("c")})`);
      const label = addr("labels", get("i"), 4);
      out.push(
        L.pair
          ? `(v128.store64_lane 0 ${label} (v128.bitselect ${get("vq")} (v128.load64_zero ${label}) ${narrow(v("k"))}))`
          : `(i32.store ${label} (select ${get("q")} (i32.load ${label}) ${v("k")}))`
      );
    }
    for (const w of ws) {
      out.push(distance(D, L, coordOf(L, `c${w}`)));
      // min, not a compare-and-select: Math.min's answer for NaN and −0 too (non-finite input).
      const min = `(${L.t}.min ${v("e")} ${v("c")})`;
      // Lane 0 (row a) is added before lane 1 (row b): the TypeScript kernel's row order.
      out.push(
        L.pair
          ? `${set("m", min)}\n(local.set $p${w} (f64.add (f64.add ${get(`p${w}`)} (f64x2.extract_lane 0 ${v("m")})) (f64x2.extract_lane 1 ${v("m")})))`
          : `(local.set $p${w} (f64.add ${get(`p${w}`)} ${min}))`
      );
    }
    return out.join("\n");
  };
  return `(func (export "pp${D}x${W}")
    (param $start i32) (param $end i32) (param $x i32) (param $closest i32) (param $lower i32) (param $labels i32)
    (param $cand i32) (param $q i32) (param $pend i32) (param $out i32)
    (local $i i32) (local $ra i32) (local $rb i32) (local $va v128) (local $vb v128) (local $vq v128)
    ${laneLocals(D)}
    ${ws.map((w) => `(local $p${w} f64)`).join(" ")}
    ${coordLocals([...ws.map((w) => `c${w}`), "q"], D)}
    ${ws.map((w) => loadCoords(`c${w}`, "cand", w, D)).join("\n")}
    (if (i32.ge_s ${get("q")} (i32.const 0))
      (then
        ${loadCoords("q", "pend", 0, D)}
        (local.set $vq (i32x4.splat ${get("q")}))
        ${pairsThenOne(D, body(true))})
      (else ${pairsThenOne(D, body(false))}))
    ${ws.map((w) => `(f64.store offset=${w * 8} ${get("out")} ${get(`p${w}`)})`).join("\n")})`;
}

/**
 * The blocked scan of Hamerly's step: the mm listed rows (i32 at `rows`, mm even) against
 * centres g0..g0+W−1, updating each row's smallest and second-smallest squared distance (f64 at
 * d1, d2) and nearest centre (i32 at best). Centres go in index order and only a strictly
 * smaller distance replaces the nearest, so ties go to the lower index as in a plain argmin.
 */
function scanGroup(D: number, W: number): string {
  const ws = range(W);
  const L = PAIR;
  const v = (n: string) => get(`v${n}`);
  const lt = (a: string, b: string) => `(f64x2.lt ${a} ${b})`;
  const updates = ws.map(
    (w) => `${distance(D, L, coordOf(L, `c${w}`))}
      (local.set $vk ${lt(v("e"), get("d1v"))})
      (local.set $d2v (v128.bitselect ${get("d1v")} (v128.bitselect ${v("e")} ${get("d2v")} ${lt(v("e"), get("d2v"))}) ${v("k")}))
      (local.set $d1v (v128.bitselect ${v("e")} ${get("d1v")} ${v("k")}))
      (local.set $bv (v128.bitselect ${get(`gv${w}`)} ${get("bv")} ${narrow(v("k"))}))`
  );
  return `(func $scan${D}x${W} (param $mm i32) (param $g0 i32) (param $x i32) (param $centers i32) (param $rows i32) (param $d1 i32) (param $d2 i32) (param $best i32)
    (local $r i32) (local $cb i32) (local $ra i32) (local $rb i32) (local $va v128) (local $vb v128)
    (local $d1v v128) (local $d2v v128) (local $bv v128) ${ws.map((w) => `(local $gv${w} v128)`).join(" ")}
    ${laneLocals(D)}
    ${coordLocals(ws.map((w) => `c${w}`), D)}
    (local.set $cb ${addr("centers", get("g0"), D * 8)})
    ${ws.map((w) => `${loadCoords(`c${w}`, "cb", w, D)}\n(local.set $gv${w} (i32x4.splat (i32.add ${get("g0")} (i32.const ${w}))))`).join("\n")}
    (block $done (loop $rowPairs
      (br_if $done (i32.ge_s ${get("r")} ${get("mm")}))
      (local.set $ra ${addr("x", `(i32.load ${addr("rows", get("r"), 4)})`, D * 8)})
      (local.set $rb ${addr("x", `(i32.load offset=4 ${addr("rows", get("r"), 4)})`, D * 8)})
      ${loadRow(D, L)}
      (local.set $d1v (v128.load ${addr("d1", get("r"), 8)}))
      (local.set $d2v (v128.load ${addr("d2", get("r"), 8)}))
      (local.set $bv (v128.load64_zero ${addr("best", get("r"), 4)}))
      ${updates.join("\n")}
      (v128.store ${addr("d1", get("r"), 8)} ${get("d1v")})
      (v128.store ${addr("d2", get("r"), 8)} ${get("d2v")})
      (v128.store64_lane 0 ${addr("best", get("r"), 4)} ${get("bv")})
      (local.set $r (i32.add ${get("r")} (i32.const 2)))
      (br $rowPairs)))
  )`;
}

/**
 * A later Lloyd step (OP.assign without recomputing block sums) on rows start..end−1, as the
 * TypeScript kernel: the bound test, the own-centre distance of the rows that fail it, a scan
 * over every centre of the rows that still fail, then labels, bounds and the block's sums and
 * counts (at `sums`, `counts`; updated in private copies at tmpSums, tmpCounts, so two threads
 * never write a shared cache line row by row). `rows`, d1, d2, best: scratch for one more row
 * than the block. Returns how many rows changed cluster.
 */
function assign(D: number): string {
  const S = SINGLE;
  const v = (n: string) => get(`s${n}`);
  const f64At = (arr: string, index: string) => addr(arr, index, 8);
  // Nested ifs, the largest group outermost: GROUP centres while that many remain, then the rest.
  const groups = range(GROUP).reduce(
      (inner, w) =>
        `(if (i32.ge_s (i32.sub ${get("k")} ${get("g")}) (i32.const ${w + 1}))
          (then (call $scan${D}x${w + 1} ${get("mm")} ${get("g")} ${get("x")} ${get("centers")} ${get("rows")} ${get("d1")} ${get("d2")} ${get("best")}))
          ${inner === "" ? "" : `(else ${inner})`})`,
      ""
    );
  const rowAt = (index: string) => `(local.set $ra ${addr("x", index, D * 8)})\n${loadRow(D, S)}`;
  return `(func (export "assign${D}")
    (param $start i32) (param $end i32) (param $k i32) (param $x i32) (param $centers i32) (param $labels i32)
    (param $upper i32) (param $lower i32) (param $half i32) (param $drift i32) (param $sums i32) (param $counts i32)
    (param $rows i32) (param $d1 i32) (param $d2 i32) (param $best i32) (param $tmpSums i32) (param $tmpCounts i32)
    (param $skip f64) (result i32)
    (local $i i32) (local $a i32) (local $r i32) (local $listed i32) (local $m i32) (local $mm i32) (local $g i32)
    (local $nb i32) (local $changed i32) (local $fail i32) (local $ra i32) (local $rb i32) (local $ab i32) (local $bb i32)
    (local $va v128) (local $vb v128)
    (local $du f64) (local $dl f64) (local $b f64) (local $bound f64) (local $u f64)
    ${laneLocals(D)}
    (memory.copy ${get("tmpSums")} ${get("sums")} (i32.mul ${get("k")} (i32.const ${D * 8})))
    (memory.copy ${get("tmpCounts")} ${get("counts")} (i32.shl ${get("k")} (i32.const 2)))
    ;; The bound test alone first, without a branch (the list only grows where it fails).
    (local.set $i ${get("start")})
    (block $boundDone (loop $boundRows
      (br_if $boundDone (i32.ge_s ${get("i")} ${get("end")}))
      (local.set $a (i32.load ${addr("labels", get("i"), 4)}))
      (local.set $du (f64.load ${f64At("drift", get("a"))}))
      (local.set $dl (f64.load ${f64At("drift", `(i32.add ${get("k")} ${get("a")})`)}))
      (local.set $b (f64.max (f64.load ${f64At("half", get("a"))}) (f64.sub (f64.load ${f64At("lower", get("i"))}) ${get("dl")})))
      (local.set $bound (f64.sub ${get("b")} (f64.mul (f64.add (f64.add ${get("b")} ${get("du")}) ${get("dl")}) ${get("skip")})))
      (i32.store ${addr("rows", get("listed"), 4)} ${get("i")})
      (f64.store ${f64At("d1", get("listed"))} ${get("bound")})
      (local.set $listed (i32.add ${get("listed")} (f64.gt (f64.add (f64.load ${f64At("upper", get("i"))}) ${get("du")}) ${get("bound")})))
      (local.set $i (i32.add ${get("i")} (i32.const 1)))
      (br $boundRows)))
    ;; Own distances first (many listed rows pass with them), then a blocked scan of the rest.
    (block $ownDone (loop $ownRows
      (br_if $ownDone (i32.ge_s ${get("r")} ${get("listed")}))
      (local.set $i (i32.load ${addr("rows", get("r"), 4)}))
      (local.set $a (i32.load ${addr("labels", get("i"), 4)}))
      ${rowAt(get("i"))}
      (local.set $ab ${addr("centers", get("a"), D * 8)})
      ${distance(D, S, (j) => `(f64.load offset=${j * 8} ${get("ab")})`)}
      (local.set $u (f64.sqrt ${v("e")}))
      (local.set $fail (f64.gt ${get("u")} (f64.load ${f64At("d1", get("r"))})))
      (i32.store ${addr("rows", get("m"), 4)} ${get("i")})
      (local.set $m (i32.add ${get("m")} ${get("fail")}))
      (f64.store ${f64At("upper", get("i"))}
        (select (f64.load ${f64At("upper", get("i"))}) (f64.sub ${get("u")} (f64.load ${f64At("drift", get("a"))})) ${get("fail")}))
      (local.set $r (i32.add ${get("r")} (i32.const 1)))
      (br $ownRows)))
    ;; An odd count gets its last row twice: the scan goes two rows at a time.
    (if (i32.and ${get("m")} (i32.const 1))
      (then (i32.store ${addr("rows", get("m"), 4)} (i32.load ${addr("rows", `(i32.sub ${get("m")} (i32.const 1))`, 4)}))))
    (local.set $mm (i32.add ${get("m")} (i32.and ${get("m")} (i32.const 1))))
    (local.set $r (i32.const 0))
    (block $initDone (loop $initRows
      (br_if $initDone (i32.ge_s ${get("r")} ${get("mm")}))
      (f64.store ${f64At("d1", get("r"))} (f64.const inf))
      (f64.store ${f64At("d2", get("r"))} (f64.const inf))
      (i32.store ${addr("best", get("r"), 4)} (i32.const 0))
      (local.set $r (i32.add ${get("r")} (i32.const 1)))
      (br $initRows)))
    (block $groupsDone (loop $groups
      (br_if $groupsDone (i32.ge_s ${get("g")} ${get("k")}))
      ${groups}
      (local.set $g (i32.add ${get("g")} (i32.const ${GROUP})))
      (br $groups)))
    (local.set $r (i32.const 0))
    (block $tailDone (loop $tailRows
      (br_if $tailDone (i32.ge_s ${get("r")} ${get("m")}))
      (local.set $i (i32.load ${addr("rows", get("r"), 4)}))
      (local.set $a (i32.load ${addr("labels", get("i"), 4)}))
      (local.set $nb (i32.load ${addr("best", get("r"), 4)}))
      (f64.store ${f64At("upper", get("i"))} (f64.sub (f64.sqrt (f64.load ${f64At("d1", get("r"))})) (f64.load ${f64At("drift", get("nb"))})))
      (f64.store ${f64At("lower", get("i"))}
        (f64.add (f64.sqrt (f64.load ${f64At("d2", get("r"))})) (f64.load ${f64At("drift", `(i32.add ${get("k")} ${get("nb")})`)})))
      (if (i32.ne ${get("nb")} ${get("a")}) (then
        (i32.store ${addr("labels", get("i"), 4)} ${get("nb")})
        (local.set $changed (i32.add ${get("changed")} (i32.const 1)))
        (i32.store ${addr("tmpCounts", get("a"), 4)} (i32.sub (i32.load ${addr("tmpCounts", get("a"), 4)}) (i32.const 1)))
        (i32.store ${addr("tmpCounts", get("nb"), 4)} (i32.add (i32.load ${addr("tmpCounts", get("nb"), 4)}) (i32.const 1)))
        ${rowAt(get("i"))}
        (local.set $ab ${addr("tmpSums", get("a"), D * 8)})
        (local.set $bb ${addr("tmpSums", get("nb"), D * 8)})
        ${range(D)
          .map(
            (j) =>
              `(f64.store offset=${j * 8} ${get("ab")} (f64.sub (f64.load offset=${j * 8} ${get("ab")}) ${v(`x${j}`)}))\n` +
              `(f64.store offset=${j * 8} ${get("bb")} (f64.add (f64.load offset=${j * 8} ${get("bb")}) ${v(`x${j}`)}))`
          )
          .join("\n")}))
      (local.set $r (i32.add ${get("r")} (i32.const 1)))
      (br $tailRows)))
    (memory.copy ${get("sums")} ${get("tmpSums")} (i32.mul ${get("k")} (i32.const ${D * 8})))
    (memory.copy ${get("counts")} ${get("tmpCounts")} (i32.shl ${get("k")} (i32.const 2)))
    ${get("changed")})`;
}

/** Re-indents WAT by parenthesis depth. */
function indentWat(code: string): string {
  let depth = 0;
  const out: string[] = [];
  for (const raw of code.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    const opens = (line.match(/\(/g) ?? []).length;
    const closes = (line.match(/\)/g) ?? []).length;
    out.push("  ".repeat(Math.max(0, depth - (line.startsWith(")") ? 1 : 0))) + line);
    depth += opens - closes;
  }
  return out.join("\n");
}

export function generateWat(): string {
  const funcs: string[] = [];
  for (let D = 1; D <= MAX_SPECIALISED; D++) {
    for (let W = 1; W <= GROUP; W++) funcs.push(ppTrials(D, W), scanGroup(D, W));
    funcs.push(assign(D));
  }
  return `;; Generated by kmeansWasm.gen.ts: do not edit; edit the generator and run
;; npm run kernels
(module
(memory (import "env" "mem") 1 ${WASM_MAX_PAGES} shared)
${indentWat(funcs.join("\n"))}
)
`;
}

/** The module's binary, assembled by wabt (a development dependency: only the generator and its test use it). */
export async function assembleWasm(wat: string): Promise<Uint8Array> {
  const wabt = await (await import("wabt")).default();
  const module = wabt.parseWat("kmeansKernels.generated.wat", wat, { simd: true, threads: true, bulk_memory: true });
  try {
    // WebAssembly.Module validates it when the engine loads it (and the test does).
    return module.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const wat = generateWat();
  const watFile = process.argv.indexOf("--wat");
  if (watFile > 0 && process.argv[watFile + 1]) writeFileSync(process.argv[watFile + 1], wat);
  writeFileSync(WASM_PATH, await assembleWasm(wat));
  console.log(`wrote ${WASM_PATH}`);
}
