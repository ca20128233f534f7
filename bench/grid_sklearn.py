"""The engine's DEFAULT GRID done with scikit-learn: the same runs with the same caps, for
bench/gridCompare.ts. Usage:

    python3 grid_sklearn.py FILE.csv --eps E1,E2,E3,E4,E5 [--min-samples N] [--stability-runs "ID;ID"] [--seed S]

Mirrors (constants cite the engine file they come from):
- preparation: z-score every feature (StandardScaler; the CLI's default --scale, prepare/scale.ts);
- k-means k=2..10: n_init 4, max_iter 300, tol 1e-4, greedy k-means++, Lloyd (cluster/kmeans.ts
  defaults; registry/algorithms.ts gives the grid no other value);
- Gaussian mixture, full (d <= 20), k=2..10: n_init 3, max_iter 100, tol 1e-3, reg_covar 1e-6,
  k-means init, EM on a seeded sample of gmmMaxPoints(d) = 10,000 rows, every row then predicted
  (cluster/gmm.ts);
- Ward k=2..10: ONE tree on a seeded sample of hierarchicalMaxPoints(d) = 5,000 rows cut at each k
  (the engine's fitPath; here AgglomerativeClustering's `memory` cache, its documented way to reuse
  the tree across n_clusters), the rest given the nearest centroid of the sample's segments
  (cluster/hierarchical.ts, cluster/sampleAndAssign.ts nearestCentroid);
- DBSCAN at the engine's five eps (given with --eps), min_samples = max(4, 2d) (registry
  defaultMinPoints), on a seeded sample of 20,000 rows (cluster/dbscan.ts DEFAULTS.maxPoints), the
  rest given the cluster of the nearest sample core point within eps, else noise
  (dbscan.ts nearestCoreWithinEps); plus the k-distance eps suggestion's work (2,000 query rows,
  neighbours among all rows; dbscan.ts suggestEps), computed but only reported;
- metrics of every run with noise rows left out (evaluate/internal.ts): silhouette on a random
  sample of silhouetteRows(d) = 5,000 rows (experiment/runner.ts SILHOUETTE_ROWS; the engine's
  sample is stratified by segment, this one is not), Calinski-Harabasz, Davies-Bouldin and
  inertia on all rows; the mixture's log-likelihood, BIC and AIC on all rows;
- the recommendation's bootstrap stability checks (experiment/recommend.ts, runStability.ts,
  evaluate/stability.ts): per checked run, 20 refits of the same algorithm and parameters on
  bootstrap resamples of a 2,000-row subsample (STABILITY_ROWS), scored by Jaccard. The runs
  checked are the engine's when given (--stability-runs), else chosen by the engine's rule on
  these metrics: k 3..8, segments >= 3% and >= 10 rows, <= 10% noise, best silhouette first,
  stop at the first whose every segment has mean Jaccard >= 0.75, at most 5 checked.

Prints one JSON line: {"seconds": everything after the CSV read, "read_seconds", "phases",
"runs": [ids], "stability": {id: min mean Jaccard}, "recommended", "epsSuggested"}.
"""
import argparse
import json
import math
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

warnings.simplefilter("ignore")  # convergence warnings: the engine notes them, it does not stop

KS = range(2, 11)  # registry/algorithms.ts DEFAULT_KS
ORDER = ["kmeans", "gmm", "hierarchical", "dbscan"]  # recommendation tie order (registry order)

args = argparse.ArgumentParser()
args.add_argument("file")
args.add_argument("--eps", required=True, help="the engine's DBSCAN eps values, comma-separated")
args.add_argument("--min-samples", type=int)
args.add_argument("--stability-runs", help="run ids the engine checked, ';'-separated")
args.add_argument("--seed", type=int, default=42)
a = args.parse_args()

t0 = time.perf_counter()
table = pd.read_csv(a.file)
X = table.drop(columns=[table.columns[0]]).to_numpy(dtype=float)
read_seconds = time.perf_counter() - t0

start = time.perf_counter()
phases = {}
rng = np.random.default_rng(a.seed)
n, d = X.shape
X = StandardScaler().fit_transform(X)
phases["scale"] = time.perf_counter() - start

GMM_ROWS = max(1000, min(10_000, 200_000 // d))  # gmm.ts gmmMaxPoints
WARD_ROWS = max(1000, min(5000, math.floor(5000 * math.sqrt(20 / d))))  # hierarchical.ts hierarchicalMaxPoints
DBSCAN_ROWS = 20_000  # dbscan.ts DEFAULTS.maxPoints
SIL_ROWS = 5000 if d <= 8 else round(5000 * math.sqrt(8 / d))  # runner.ts silhouetteRows
MIN_SAMPLES = a.min_samples or max(4, 2 * d)  # registry defaultMinPoints
STABILITY_ROWS, B = 2000, 20  # runStability.ts, stability.ts
COV = "full" if d <= 20 else "diag"  # registry FULL_COVARIANCE_MAX_FEATURES
EPS = a.eps.split(",")


def sample(m):
    """Sorted row indices of a seeded sample of m rows, or None when every row is used."""
    return None if n <= m else np.sort(rng.choice(n, m, replace=False))


# The algorithms, each `fit(Xs, params, seed) -> labels` as the engine's clusterer.fit (used by the
# stability refits on 2,000 rows, below every cap).
def kmeans(Xs, k, seed):
    return KMeans(k, n_init=4, max_iter=300, tol=1e-4, algorithm="lloyd", random_state=seed).fit(Xs).labels_


def gmm(Xs, k, seed):
    g = GaussianMixture(k, covariance_type=COV, n_init=3, max_iter=100, tol=1e-3, reg_covar=1e-6, random_state=seed)
    return g.fit(Xs), g


def ward(Xs, k, seed, memory=None):
    return AgglomerativeClustering(k, linkage="ward", memory=memory, compute_full_tree=memory is not None).fit(Xs).labels_


def dbscan(Xs, eps, seed):
    return DBSCAN(eps=eps, min_samples=MIN_SAMPLES).fit(Xs)


def refit(algorithm, param, Xs, seed):
    if algorithm == "kmeans":
        return kmeans(Xs, param, seed)
    if algorithm == "gmm":
        return gmm(Xs, param, seed)[1].predict(Xs)
    if algorithm == "hierarchical":
        return ward(Xs, param, seed)
    return dbscan(Xs, param, seed).labels_


runs = []  # (id, algorithm, k or eps, labels, extra metrics, fit seconds)


def timed(run_id, algorithm, param, fit):
    t = time.perf_counter()
    labels, extra = fit()
    runs.append((run_id, algorithm, param, labels, extra, time.perf_counter() - t))


# The eps suggestion's work (dbscan.ts suggestEps): minPoints-th distance (itself counted) of 2,000
# rows among all rows, sorted, knee farthest below the chord. Reported, not used (the runs use --eps).
t = time.perf_counter()
queries = sample(2000)
nn = NearestNeighbors(n_neighbors=MIN_SAMPLES).fit(X)
curve = np.sort(nn.kneighbors(X if queries is None else X[queries])[0][:, -1])
gap = np.arange(len(curve)) / max(1, len(curve) - 1) - (curve - curve[0]) / max(curve[-1] - curve[0], 1e-300)
eps_suggested = float(curve[int(np.argmax(gap))])
phases["epsSuggestion"] = time.perf_counter() - t

t = time.perf_counter()
for k in KS:
    timed(f"kmeans k={k}", "kmeans", k, lambda: (kmeans(X, k, a.seed + k), {}))

gmm_rows = sample(GMM_ROWS)
for k in KS:
    def fit_gmm():
        fitted, g = gmm(X if gmm_rows is None else X[gmm_rows], k, a.seed + 100 + k)
        labels = g.predict(X)  # every row its most probable component
        ll = g.score(X) * n
        p = g._n_parameters()
        return labels, {"logLikelihood": ll, "bic": -2 * ll + p * math.log(n), "aic": -2 * ll + 2 * p}
    timed(f"gmm {COV} k={k}", "gmm", k, fit_gmm)

ward_rows = sample(WARD_ROWS)
Xw = X if ward_rows is None else X[ward_rows]
with tempfile.TemporaryDirectory() as cache:  # one tree, cut at each k (the engine's fitPath)
    for k in KS:
        def fit_ward():
            lw = ward(Xw, k, 0, memory=cache)
            if ward_rows is None:
                return lw, {}
            centres = np.stack([Xw[lw == c].mean(axis=0) for c in range(k)])
            labels = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)  # nearest centroid
            labels[ward_rows] = lw
            return labels, {}
        timed(f"hierarchical ward k={k}", "hierarchical", k, fit_ward)

db_rows = sample(DBSCAN_ROWS)
Xd = X if db_rows is None else X[db_rows]
for e in EPS:
    def fit_dbscan():
        db = dbscan(Xd, float(e), 0)
        if db_rows is None:
            return db.labels_, {}
        labels = np.full(n, -1)
        cores = db.core_sample_indices_
        if len(cores):  # nearest sample core point within eps, else noise
            dist, idx = NearestNeighbors(n_neighbors=1).fit(Xd[cores]).kneighbors(X)
            near = dist[:, 0] <= float(e)
            labels[near] = db.labels_[cores][idx[near, 0]]
        labels[db_rows] = db.labels_
        return labels, {}
    timed(f"dbscan eps={e}", "dbscan", float(e), fit_dbscan)
phases["fits"] = time.perf_counter() - t

# Metrics of every run, noise rows left out (evaluate/internal.ts).
t = time.perf_counter()
metrics = {}
for run_id, algorithm, param, labels, extra, _ in runs:
    keep = labels >= 0
    Xk, lk = X[keep], labels[keep]
    k = len(np.unique(lk))
    m = {"k": k, "noise": int(n - keep.sum()), **extra}
    centres = np.zeros((labels.max() + 1 if k else 0, d))
    np.add.at(centres, lk, Xk)
    counts = np.bincount(lk, minlength=len(centres))
    centres[counts > 0] /= counts[counts > 0, None]
    m["inertia"] = float(((Xk - centres[lk]) ** 2).sum()) if k else 0.0
    ok = 2 <= k <= len(lk) - 1
    m["silhouette"] = float(silhouette_score(Xk, lk, sample_size=SIL_ROWS if len(lk) > SIL_ROWS else None, random_state=a.seed)) if ok else None
    m["calinskiHarabasz"] = float(calinski_harabasz_score(Xk, lk)) if ok else None
    m["daviesBouldin"] = float(davies_bouldin_score(Xk, lk)) if ok else None
    m["sizes"] = np.bincount(lk).tolist() if k else []
    metrics[run_id] = m
phases["metrics"] = time.perf_counter() - t


def stability(run):
    """Smallest per-segment mean bootstrap Jaccard (evaluate/stability.ts, clusterboot's "boot")."""
    run_id, algorithm, param, labels = run[:4]
    srng = np.random.default_rng(a.seed + 1)
    keep = np.sort(srng.choice(n, STABILITY_ROWS, replace=False)) if n > STABILITY_ROWS else np.arange(n)
    base, original = X[keep], labels[keep]
    m = len(keep)
    segments = [s for s in np.unique(original) if s >= 0]
    jaccards = {s: [] for s in segments}
    for b in range(B):
        draw = srng.integers(0, m, m)
        fitted = refit(algorithm, param, base[draw], a.seed + 1000 + b)
        # Duplicates of a row are one row; the first copy's label stands for it.
        rows, first = np.unique(draw, return_index=True)
        boot, orig = fitted[first], original[rows]
        for s in segments:
            in_s = orig == s
            if not in_s.any():
                continue
            best = 0.0
            for c in np.unique(boot[in_s & (boot >= 0)]):
                both = np.sum(in_s & (boot == c))
                best = max(best, both / (in_s.sum() + np.sum(boot == c) - both))
            jaccards[s].append(best)
    return min(float(np.mean(j)) if j else 0.0 for j in jaccards.values())


# The recommendation's checks (experiment/recommend.ts RECOMMEND_DEFAULTS).
t = time.perf_counter()
by_id = {r[0]: r for r in runs}
checked = {}
recommended = None
if a.stability_runs is not None:  # given, even empty: exactly the engine's checks
    for run_id in filter(None, a.stability_runs.split(";")):
        checked[run_id] = stability(by_id[run_id])
    # The engine's list ends at its first stable run; else it took the most stable.
    recommended = next((r for r in checked if checked[r] >= 0.75), max(checked, key=checked.get, default=None))
else:
    def usable(r):
        m = metrics[r[0]]
        return m["k"] >= 2 and m["silhouette"] is not None and m["noise"] <= 0.1 * n and min(m["sizes"]) >= max(0.03 * n, 10)
    ranked = sorted((r for r in runs if usable(r)), key=lambda r: (-metrics[r[0]]["silhouette"], metrics[r[0]]["k"], ORDER.index(r[1])))
    for r in [r for r in ranked if 3 <= metrics[r[0]]["k"] <= 8][:5]:
        checked[r[0]] = stability(r)
        if checked[r[0]] >= 0.75:
            recommended = r[0]
            break
    if recommended is None and checked:
        recommended = max(checked, key=checked.get)
phases["stability"] = time.perf_counter() - t

print(json.dumps({
    "seconds": time.perf_counter() - start,
    "read_seconds": read_seconds,
    "phases": phases,
    "runs": [r[0] for r in runs],
    "runSeconds": {r[0]: round(r[5], 3) for r in runs},
    "silhouette": {r: metrics[r]["silhouette"] for r in metrics},
    "stability": checked,
    "recommended": recommended,
    "epsSuggested": eps_suggested,
    "minSamples": MIN_SAMPLES,
}))
