import { PCA } from "ml-pca";
import type { FeatureMatrix } from "../matrix.ts";

export interface Projection {
  /** Row-major n × components coordinates. */
  coordinates: Float64Array;
  components: number;
  /** Share of total variance per component (all d components, for the scree). */
  explainedVariance: number[];
  /** loadings[c][j]: weight of feature j in component c. */
  loadings: number[][];
}

/**
 * PCA for pictures. ml-pca does the eigen-decomposition; we hand it the d × d covariance
 * matrix computed in one pass over the typed array, so memory stays O(d²) whatever n is
 * (ml-pca's SVD would copy an n × d matrix into nested arrays). Signs are fixed so that each
 * component's largest loading is positive, as scikit-learn's svd_flip does, so pictures do not
 * flip between builds.
 */
export function pca(m: FeatureMatrix, components = 2): Projection {
  const { n, d, data } = m;
  const k = Math.min(components, d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = data[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      for (let b = a; b < d; b++) cov[a * d + b] += ra * row[b];
    }
  }
  const denom = Math.max(1, n - 1);
  const covRows = Array.from({ length: d }, (_, a) =>
    Array.from({ length: d }, (_, b) => (a <= b ? cov[a * d + b] : cov[b * d + a]) / denom)
  );
  const model = new PCA(covRows, { isCovarianceMatrix: true });
  const vectors = model.getEigenvectors().to2DArray(); // d × d, columns are components
  const loadings: number[][] = [];
  for (let c = 0; c < k; c++) {
    const v = vectors.map((r) => r[c]);
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
    loadings.push(v[big] < 0 ? v.map((x) => -x) : v);
  }
  const coordinates = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      const w = loadings[c];
      for (let j = 0; j < d; j++) s += (data[i * d + j] - mean[j]) * w[j];
      coordinates[i * k + c] = s;
    }
  }
  const explained = model.getExplainedVariance();
  return { coordinates, components: k, explainedVariance: explained.map((x) => (Number.isFinite(x) ? x : 0)), loadings };
}
