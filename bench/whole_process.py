"""The whole job of `npm run segment -- --input F --id id --scale none --algorithm kmeans --k 8
--n-init 1` done the usual Python way, for bench/wholeProcess.ts: read the CSV with pandas, fit
scikit-learn's KMeans (greedy k-means++, one initialisation), the metrics our run reports
(silhouette on a 5,000-row sample as ours, Calinski-Harabasz, Davies-Bouldin, inertia) and one
JSON document of ids, labels and metrics. Usage: python3 whole_process.py IN.csv OUT.json"""
import json
import sys

import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

table = pd.read_csv(sys.argv[1])
X = table.drop(columns=["id"]).to_numpy(dtype=float)
km = KMeans(n_clusters=8, n_init=1, random_state=0).fit(X)
metrics = {
    "inertia": float(km.inertia_),
    "silhouette": float(silhouette_score(X, km.labels_, sample_size=5000, random_state=0)),
    "calinskiHarabasz": float(calinski_harabasz_score(X, km.labels_)),
    "daviesBouldin": float(davies_bouldin_score(X, km.labels_)),
}
with open(sys.argv[2], "w") as out:
    json.dump({"ids": table["id"].tolist(), "labels": km.labels_.tolist(), "metrics": metrics}, out)
