"""Label-free grouping methods on the same backbone features as the app (used by bench/finetune.ts --label-free).

Puts the head's result in proportion: if no established label-free method on these features gets well above plain
k-means, the features bound what any head trained on them can reach without the user. Labels are used for scoring
only, except in the linear probe, which is the ceiling: what the features hold when labels are known.

Reads a JSON job {"features": path, "labels": path, "dim": D, "k": K, "seeds": S} on stdin (float32 unit rows and
int32 labels, row-major files); prints JSON {method: {"acc": [per seed], "mean": m, "sd": s}}.
"""
import json
import sys
import warnings

import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans, SpectralClustering
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import cross_val_predict

from _kmeans import acc  # the same ACC as the features bench (script folder is on sys.path)

warnings.filterwarnings("ignore")


def unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def kmeans(x, k, seed):
    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)


def self_labelling(x, k, seed):
    """k-means, then a linear classifier fitted to the half of each group nearest its centre, predicting all."""
    c = kmeans(x, k, seed)
    centres = unit(np.array([x[c == j].mean(0) for j in range(k)]))
    near = (x * centres[c]).sum(1)
    keep = np.zeros(len(x), bool)
    for j in range(k):
        rows = np.where(c == j)[0]
        keep[rows[np.argsort(-near[rows])[: max(2, len(rows) // 2)]]] = True
    z = (x - x.mean(0)) / np.maximum(x.std(0), 1e-6)
    return LogisticRegression(C=0.01, max_iter=500).fit(z[keep], c[keep]).predict(z)


def main():
    job = json.load(sys.stdin)
    y = np.fromfile(job["labels"], dtype=np.int32)
    x = unit(np.fromfile(job["features"], dtype=np.float32).reshape(len(y), job["dim"]).astype(np.float64))
    k, seeds, n = job["k"], job["seeds"], len(y)
    pca32 = PCA(32, random_state=0).fit_transform(x)
    pca64 = PCA(64, random_state=0).fit_transform(x)
    methods = {
        "kmeans": lambda s: kmeans(x, k, s),
        "kmeans_pca64_whitened": lambda s: kmeans(unit(PCA(64, whiten=True, random_state=0).fit_transform(x)), k, s),
        "spectral_knn10": lambda s: SpectralClustering(k, affinity="nearest_neighbors", n_neighbors=10, random_state=s, assign_labels="cluster_qr").fit_predict(x),
        "spectral_knn40": lambda s: SpectralClustering(k, affinity="nearest_neighbors", n_neighbors=40, random_state=s, assign_labels="cluster_qr").fit_predict(x),
        "gmm_full_pca32": lambda s: GaussianMixture(k, covariance_type="full", n_init=3, random_state=s).fit_predict(pca32),
        "self_labelling": lambda s: self_labelling(x, k, s),
    }
    if n <= 5000:  # Ward linkage needs the n × n distances.
        methods["agglomerative_ward_pca64"] = lambda s: AgglomerativeClustering(k, linkage="ward").fit_predict(pca64)
    out = {}
    for name, f in methods.items():
        runs = [acc(y, f(s)) for s in range(1 if name.startswith("agglomerative") else seeds)]
        out[name] = {"acc": [round(a, 4) for a in runs], "mean": round(float(np.mean(runs)), 4), "sd": round(float(np.std(runs)), 4)}
    probe = cross_val_predict(LogisticRegression(C=1.0, max_iter=1000), (x - x.mean(0)) / np.maximum(x.std(0), 1e-6), y, cv=5)
    out["linear_probe_with_labels"] = {"acc": [round(float((probe == y).mean()), 4)], "mean": round(float((probe == y).mean()), 4), "sd": 0.0}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
