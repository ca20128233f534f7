import { describe, expect, it } from "vitest";
import { pca } from "../loaders/project/pca.ts";

describe("pca", () => {
  // Reference: /usr/bin/python3 -c "import numpy as np; from sklearn.decomposition import PCA;
  //   X=np.array([1,2,3,2,4,1,3,7,2,4,1,8,5,5,5,0,2,9.]).reshape(6,3);
  //   print(PCA().fit(X).explained_variance_ratio_, PCA(2).fit(X).transform(X))"   (sklearn 1.2.1)
  const X = { names: ["a", "b", "c"], n: 6, d: 3, data: new Float64Array([1, 2, 3, 2, 4, 1, 3, 7, 2, 4, 1, 8, 5, 5, 5, 0, 2, 9]) };

  it("gives scikit-learn's explained variance and coordinates, signs included", () => {
    const p = pca(X, 2);
    const ratios = [0.69448422, 0.21437512, 0.09114066];
    p.explainedVariance.forEach((v, i) => expect(v).toBeCloseTo(ratios[i], 7));
    const expected = [-0.521253, -2.495965, -3.347787, -1.513464, -4.091593, 0.993287, 3.946377, 1.331769, -0.736086, 2.836211, 4.750342, -1.151839];
    Array.from(p.coordinates).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  it("has unit-length loadings whose largest entry is positive", () => {
    for (const w of pca(X, 2).loadings) {
      expect(Math.hypot(...w)).toBeCloseTo(1, 10);
      const big = w.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
      expect(big).toBeGreaterThan(0);
    }
  });

  it("handles a single feature", () => {
    const p = pca({ names: ["x"], n: 3, d: 1, data: new Float64Array([1, 2, 4]) }, 2);
    expect(p.components).toBe(1);
    expect(Array.from(p.coordinates).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
  });
});
