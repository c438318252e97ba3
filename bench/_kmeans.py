"""k-means quality of dumped backbone features (used by bench/features.ts; labels are only used for scoring).

Reads a JSON job {"labels": path, "k": K, "seeds": S, "features": [{"name":..., "key":..., "dim": D}], <key>: path} on stdin,
float32 row-major files; prints JSON {name: {raw: {...}, l2: {...}, knn10: acc}}: k-means ACC / NMI / ARI as mean
and standard deviation over S seeds (each KMeans keeps the best of 10 inits), for raw and L2-normalised features,
plus leave-one-out 10-nearest-neighbour accuracy (cosine), a steadier measure of how well the features separate
the classes than one k-means run.
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
        x = np.fromfile(job[f["key"]], dtype=np.float32).reshape(len(y), f["dim"])
        res = {}
        xl2 = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        for variant, data in (("raw", x), ("l2", xl2)):
            runs = []
            for seed in range(job.get("seeds", 5)):
                c = KMeans(n_clusters=job["k"], n_init=10, random_state=seed).fit_predict(data)
                runs.append((acc(y, c), normalized_mutual_info_score(y, c),
                             normalized_mutual_info_score(y, c, average_method="geometric"), adjusted_rand_score(y, c)))
            r = np.array(runs)
            res[variant] = {
                "acc": round(float(r[:, 0].mean()), 4),
                "accStd": round(float(r[:, 0].std()), 4),
                "nmi": round(float(r[:, 1].mean()), 4),
                "nmiGeometric": round(float(r[:, 2].mean()), 4),
                "ari": round(float(r[:, 3].mean()), 4),
            }
        sim = xl2 @ xl2.T
        np.fill_diagonal(sim, -np.inf)
        nn = np.argsort(-sim, axis=1)[:, :10]
        votes = np.array([np.bincount(y[row], minlength=job["k"]).argmax() for row in nn])
        res["knn10"] = round(float((votes == y).mean()), 4)
        out[f["name"]] = res
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
