"""scikit-learn's side of bench/outcome.ts: the same matrix, outcome and folds, three models.

Usage: outcome_sklearn.py X.f64 y.u8 fold.i32 n d
Prints one JSON object per model: pooled out-of-fold ROC AUC, PR AUC (average precision),
Brier score, and the seconds the 5-fold fit-and-predict took.
"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

warnings.simplefilter("ignore")
x_file, y_file, fold_file, n, d = sys.argv[1:6]
n, d = int(n), int(d)
X = np.fromfile(x_file).reshape(n, d)
y = np.fromfile(y_file, dtype=np.uint8).astype(int)
fold = np.fromfile(fold_file, dtype=np.int32)

MODELS = {
    # max_iter above the default 100 so that lbfgs reaches the optimum on every fold.
    "LogisticRegression (StandardScaler)": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    "RandomForestClassifier(n_estimators=200)": lambda: RandomForestClassifier(n_estimators=200, random_state=0),
    "HistGradientBoostingClassifier": lambda: HistGradientBoostingClassifier(random_state=0),
}

for name, make in MODELS.items():
    p = np.zeros(n)
    t = time.perf_counter()
    for k in np.unique(fold):
        test = fold == k
        model = make().fit(X[~test], y[~test])
        p[test] = model.predict_proba(X[test])[:, 1]
    seconds = time.perf_counter() - t
    print(json.dumps({
        "model": name,
        "rocAuc": roc_auc_score(y, p),
        "averagePrecision": average_precision_score(y, p),
        "brier": brier_score_loss(y, p),
        "seconds": seconds,
    }), flush=True)
