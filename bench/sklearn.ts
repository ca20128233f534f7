/**
 * scikit-learn as a reference in the same run: a long-lived /usr/bin/python3 child that loads the
 * data once from a raw float64 file and fits KMeans(n_init=1, algorithm="lloyd") on request,
 * either from our centroids (both sides start from the same centres) or with its own greedy
 * k-means++ (`fitPlusPlus`, the whole fit as a user would run it).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";

const PY_SERVER = `
import sys, json, time, warnings
import numpy as np
from sklearn.cluster import KMeans
warnings.simplefilter("ignore")
cache = {}
for line in sys.stdin:
    # cf "++" = scikit-learn's own k-means++ seeded by random_state.
    xf, cf, n, d, k, seed = line.split()
    n, d, k = int(n), int(d), int(k)
    if xf not in cache:
        cache.clear()
        cache[xf] = np.fromfile(xf).reshape(n, d)
    X = cache[xf]
    if cf == "++":
        km = KMeans(n_clusters=k, init="k-means++", n_init=1, algorithm="lloyd", random_state=int(seed))
    else:
        km = KMeans(n_clusters=k, init=np.fromfile(cf).reshape(k, d), n_init=1, algorithm="lloyd")
    t = time.perf_counter()
    km.fit(X)
    s = time.perf_counter() - t
    print(json.dumps({"seconds": s, "inertia": float(km.inertia_), "iterations": int(km.n_iter_)}), flush=True)
`;

export interface Timing {
  seconds: number;
  inertia: number;
  iterations: number;
}

export class Sklearn {
  private child: ChildProcessWithoutNullStreams;
  private lines: AsyncIterableIterator<string>;
  constructor() {
    const env = { ...process.env };
    // Tuning variables set for this machine's OpenBLAS must not skew the reference.
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    this.child = spawn("/usr/bin/python3", ["-c", PY_SERVER], { env });
    this.child.stderr.on("data", (b) => process.stderr.write(b));
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }
  /** Lloyd from the centres in `cFile` (k × d float64). */
  fit(xFile: string, cFile: string, n: number, d: number, k: number): Promise<Timing> {
    return this.request(`${xFile} ${cFile} ${n} ${d} ${k} 0`);
  }
  /** The whole fit with scikit-learn's greedy k-means++ (random_state = seed). */
  fitPlusPlus(xFile: string, n: number, d: number, k: number, seed: number): Promise<Timing> {
    return this.request(`${xFile} ++ ${n} ${d} ${k} ${seed}`);
  }
  private async request(line: string): Promise<Timing> {
    this.child.stdin.write(`${line}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error("scikit-learn process ended");
    return JSON.parse(next.value) as Timing;
  }
  close(): void {
    this.child.stdin.end();
  }
}

/** Whether /usr/bin/python3 with scikit-learn is installed (the benchmark then compares). */
export function haveSklearn(): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn("/usr/bin/python3", ["-c", "import sklearn"], { stdio: "ignore" });
    p.on("error", () => resolve(false));
    p.on("exit", (code) => resolve(code === 0));
  });
}
