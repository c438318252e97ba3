"""k-means quality of dumped backbone features (used by bench/features.ts; labels are only used for scoring).

Reads a JSON job {"labels": path, "k": K, "features": [{"name":..., "path":..., "dim": D}]} on stdin, float32
row-major files; prints JSON {name: {acc, nmi, nmiGeometric, ari, ...}} for raw and L2-normalised features.
"""
import json
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


def acc(y, c):
    k = max(y.max(), c.max()) + 1
    m = np.zeros((k, k), dtype=np.int64)
    for a, b in zip(c, y):
        m[a, b] += 1
    r, s = linear_sum_assignment(-m)
    return float(m[r, s].sum()) / len(y)


def main():
    job = json.load(sys.stdin)
    y = np.fromfile(job["labels"], dtype=np.int32)
    out = {}
    for f in job["features"]:
        x = np.fromfile(f["path"], dtype=np.float32).reshape(len(y), f["dim"])
        res = {}
        for variant, data in (("raw", x), ("l2", x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12))):
            c = KMeans(n_clusters=job["k"], n_init=10, random_state=0).fit_predict(data)
            res[variant] = {
                "acc": round(acc(y, c), 4),
                "nmi": round(float(normalized_mutual_info_score(y, c)), 4),
                "nmiGeometric": round(float(normalized_mutual_info_score(y, c, average_method="geometric")), 4),
                "ari": round(float(adjusted_rand_score(y, c)), 4),
            }
        out[f["name"]] = res
    json.dump(out, sys.stdout)


main()
