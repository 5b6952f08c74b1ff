#!/usr/bin/env python3
"""The point-in-time work of LeadPredict.Timeline, written the way a careful analyst would in pandas + NumPy.

    timeline_pandas.py DIR [--pipeline OUT.csv]
        (DIR holds leads.csv, activities.csv, outcomes.csv from `LeadPredict.Benchmarks timeline`)

With --pipeline, the whole job `leadpredict-train train` + `leadpredict-score score --as-of` do (`LeadPredict.Benchmarks
timeline-e2e`): the same features plus the leads' own columns (company size, source: categorical), the same time-based
holdout (the latest 20% of examples by time; training on examples at least the horizon before the cut-off, and on no lead
with an example in the holdout), scikit-learn's HistGradientBoostingClassifier fitted on the training side (defaults,
early stopping on 10% of it, as ours), its holdout AUC, then the open leads as of the export date scored and written
ranked to OUT.csv (lead id, probability).

Same rules as the C# side: activities strictly before t, only those before the lead's conversion; snapshots at creation
+ 7 days then every 30 days, at most 4, while open; censored when t + 90 days passes the export date; label = won in
(t, t + 90 days]; per activity type (the 12 most frequent before conversion, the rest pooled) and for any activity:
counts in the last 7/30/90 days, days since first and last, distinct UTC days active in the last 90, 7-vs-90-day trend;
the open leads as of the export date. Windows are counted with binary searches over one array sorted by (group, time).
Debian's pandas has no Parquet engine, so the CSV files are read once into a pickle cache (in a process of its own, not
timed); the timed run starts by loading that cache. Prints one JSON line: seconds per step, CPU seconds, peak memory
(max RSS) and checksums.
"""
import json
import os
import pickle
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

DAY = 86400
HORIZON, FIRST, EVERY, MAX_PER_LEAD, MAX_TYPES = 90, 7, 30, 4, 12
WINDOWS = [7, 30, 90]
SHIFT = 28  # bits for a time offset in seconds (about 8.5 years)
CACHE = "pandas-cache-v2.pkl"  # v2: with the leads' own columns
HOLDOUT = 0.2


def load_cache(folder):
    cache = os.path.join(folder, CACHE)
    if not os.path.exists(cache):
        leads = pd.read_csv(os.path.join(folder, "leads.csv"), dtype={"company_size": "category", "source": "category"}, parse_dates=["created_at"])
        outcomes = pd.read_csv(os.path.join(folder, "outcomes.csv"), parse_dates=["won_at"])
        acts = pd.read_csv(os.path.join(folder, "activities.csv"), dtype={"lead_id": "category", "activity_type": "category"}, parse_dates=["occurred_at"])
        with open(cache, "wb") as f:
            pickle.dump((leads, outcomes, acts), f, protocol=5)
    with open(cache, "rb") as f:
        return pickle.load(f)


def seconds(series):
    return series.values.astype("datetime64[s]").astype(np.int64)


def features(comb, ts, dayfirst_prefix, dayfirst, key, t, t0):
    """Per query (group key, time t): counts per window, days since first/last, active days, trend, from sorted events."""
    base = key.astype(np.int64) << SHIFT
    rel = np.maximum(t - t0, 0)
    lo0 = np.searchsorted(comb, base, "left")
    hi = np.searchsorted(comb, base + rel, "left")
    out = {}
    los = {}
    for w in WINDOWS:
        lo = np.maximum(np.searchsorted(comb, base + np.maximum(rel - w * DAY, 0), "left"), lo0)
        los[w] = lo
        out[f"count_{w}d"] = (hi - lo).astype(np.float64)
    has = hi > lo0
    safe_first = np.where(has, lo0, 0)
    safe_last = np.where(has, hi - 1, 0)
    out["days_since_first"] = np.where(has, (t - ts[safe_first]) / DAY, np.nan)
    out["days_since_last"] = np.where(has, (t - ts[safe_last]) / DAY, np.nan)
    lo = los[max(WINDOWS)]
    inside = lo < hi
    starts_inside = np.where(inside, dayfirst[np.where(inside, lo, 0)], True)
    out[f"active_days_{max(WINDOWS)}d"] = np.where(inside, dayfirst_prefix[hi] - dayfirst_prefix[lo] + (~starts_inside), 0).astype(np.float64)
    short, long = out[f"count_{min(WINDOWS)}d"], out[f"count_{max(WINDOWS)}d"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[f"trend_{min(WINDOWS)}_{max(WINDOWS)}d"] = np.where(long > 0, (short / min(WINDOWS)) / (long / max(WINDOWS)), np.nan)
    return out


def sorted_events(group, ts, t0):
    order = np.lexsort((ts, group))
    g, s = group[order], ts[order]
    comb = (g.astype(np.int64) << SHIFT) + (s - t0)
    day = s // DAY
    dayfirst = np.ones(len(s), dtype=bool)
    dayfirst[1:] = (g[1:] != g[:-1]) | (day[1:] != day[:-1])
    prefix = np.concatenate([[0], np.cumsum(dayfirst)])
    return comb, s, prefix, dayfirst


def main(folder, pipeline=None):
    prepare = time.perf_counter()
    if not os.path.exists(os.path.join(folder, CACHE)):
        # The CSV files parsed once into the cache, in a process of its own: neither its time nor its memory is counted.
        subprocess.run([sys.executable, __file__, folder, "--prepare"], check=True)
    prepare = time.perf_counter() - prepare
    start = time.perf_counter()
    cpu = time.process_time()
    leads, outcomes, acts = load_cache(folder)
    read = time.perf_counter() - start

    clock = time.perf_counter()
    cpu_features = time.process_time()
    n = len(leads)
    created = seconds(leads["created_at"])
    index = pd.Index(leads["lead_id"])
    if not index.is_unique:
        raise SystemExit("duplicate lead ids")
    # Lead of each activity through its category codes (the join), unknown ids dropped.
    cat_lead = index.get_indexer(acts["lead_id"].cat.categories)
    a_lead = cat_lead[acts["lead_id"].cat.codes.values]
    a_ts = seconds(acts["occurred_at"])
    a_type_names = np.asarray(acts["activity_type"].cat.categories)
    a_type = acts["activity_type"].cat.codes.values
    known = a_lead >= 0
    a_lead, a_ts, a_type = a_lead[known], a_ts[known], a_type[known]
    o_lead = index.get_indexer(outcomes["lead_id"])
    o_ts = seconds(outcomes["won_at"])
    as_of = max(created.max(), o_ts[o_lead >= 0].max(), a_ts.max())
    won = np.full(n, np.iinfo(np.int64).max)
    ok = (o_lead >= 0) & (o_ts <= as_of)
    np.minimum.at(won, o_lead[ok], o_ts[ok])
    converted = won != np.iinfo(np.int64).max

    keep = a_ts <= as_of
    a_lead, a_ts, a_type = a_lead[keep], a_ts[keep], a_type[keep]
    before = a_ts < won[a_lead]
    counts_before = np.bincount(a_type[before], minlength=len(a_type_names))
    # Types ranked on their events before conversion; the rest pooled.
    ranked = sorted([i for i in range(len(a_type_names)) if counts_before[i] > 0], key=lambda i: (-counts_before[i], a_type_names[i]))
    kept = ranked[:MAX_TYPES]
    code_of = np.full(len(a_type_names), -1, dtype=np.int64)
    for k, i in enumerate(kept):
        code_of[i] = k + 1
    if len(ranked) > MAX_TYPES:
        code_of[code_of < 0] = len(kept) + 1
    groups = len(kept) + (2 if len(ranked) > MAX_TYPES else 1)
    a_lead, a_ts, a_code = a_lead[before], a_ts[before], code_of[a_type[before]]
    valid = a_code >= 0
    a_lead, a_ts, a_code = a_lead[valid], a_ts[valid], a_code[valid]
    t0 = min(a_ts.min(), created.min())
    by_type = sorted_events(a_lead.astype(np.int64) * groups + a_code, a_ts, t0)
    by_lead = sorted_events(a_lead.astype(np.int64), a_ts, t0)

    def build(lead, t):
        cols = {"lead_age_days": (t - created[lead]) / DAY}
        for name, value in features(*by_lead, lead, t, t0).items():
            cols[f"act_any_{name}"] = value
        for code in range(1, groups):
            for name, value in features(*by_type, lead.astype(np.int64) * groups + code, t, t0).items():
                cols[f"act_{code}_{name}"] = value
        return pd.DataFrame(cols)

    # Snapshots while open; censored when the horizon passes the export date.
    k = np.arange(MAX_PER_LEAD)
    s_lead = np.repeat(np.arange(n), MAX_PER_LEAD)
    s_t = np.repeat(created, MAX_PER_LEAD) + (FIRST + np.tile(k, n) * EVERY) * DAY
    slot = s_t <= as_of
    s_lead, s_t = s_lead[slot], s_t[slot]
    s_won = won[s_lead]
    example = (s_won > s_t) & (s_t + HORIZON * DAY <= as_of)
    s_lead, s_t, s_won = s_lead[example], s_t[example], s_won[example]
    label = (s_won > s_t) & (s_won <= s_t + HORIZON * DAY)
    train = build(s_lead, s_t)
    snapshot_seconds = time.perf_counter() - clock

    clock = time.perf_counter()
    open_lead = np.nonzero((created <= as_of) & (won > as_of))[0]
    open_set = build(open_lead, np.full(len(open_lead), as_of))
    asof_seconds = time.perf_counter() - clock
    features_cpu = time.process_time() - cpu_features
    result = {}
    if pipeline is not None:
        result = train_and_score(leads, s_lead, s_t, label, train, open_lead, open_set, pipeline)

    checksums = {"examples": float(len(train)), "positives": float(label.sum()), "open": float(len(open_set))}
    for prefix, frame in (("train", train), ("open", open_set)):
        for column in frame.columns:
            if not column.startswith("act_any_"):
                continue
            values = frame[column].to_numpy()
            values = values[~np.isnan(values)]
            if "since" in column or "trend" in column:
                values = np.round(values.astype(np.float32).astype(np.float64), 3)
            checksums[f"{prefix}_{column}"] = float(np.round(values.sum(), 0))
    print(json.dumps({
        **result, "features_cpu_seconds": features_cpu,
        "read_seconds": read, "snapshot_seconds": snapshot_seconds, "asof_seconds": asof_seconds,
        "total_seconds": time.perf_counter() - start, "examples": len(train), "features": train.shape[1],
        "cpu_seconds": time.process_time() - cpu, "prepare_seconds": prepare,
        "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "checksums": checksums,
    }))


def train_and_score(leads, s_lead, s_t, label, train, open_lead, open_set, out):
    """HistGradientBoosting on the training side of the time-based holdout, its holdout AUC, then the open leads ranked."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    clock, cpu = time.perf_counter(), time.process_time()
    categorical = ["company_size", "source"]

    def with_attributes(frame, lead):
        x = frame.copy()
        for c in categorical:
            x[c] = leads[c].cat.codes.values[lead].astype(np.float64)
            x.loc[x[c] < 0, c] = np.nan
        return x

    x = with_attributes(train, s_lead)
    n = len(x)
    order = np.lexsort((np.arange(n), s_t))
    cutoff = s_t[order[n - max(1, int(round(n * HOLDOUT)))]]
    hold = s_t >= cutoff
    held_leads = np.zeros(len(leads), dtype=bool)
    held_leads[s_lead[hold]] = True
    fit_rows = (s_t < cutoff) & (s_t <= cutoff - HORIZON * DAY) & ~held_leads[s_lead]
    model = HistGradientBoostingClassifier(categorical_features=[x.columns.get_loc(c) for c in categorical], random_state=42)
    model.fit(x[fit_rows].to_numpy(np.float32), label[fit_rows])
    auc = roc_auc_score(label[hold], model.predict_proba(x[hold].to_numpy(np.float32))[:, 1])
    training = {"train_seconds": time.perf_counter() - clock, "train_cpu_seconds": time.process_time() - cpu,
                "holdout_auc": float(auc), "training_examples": int(fit_rows.sum()), "holdout_examples": int(hold.sum()),
                "trees": int(model.n_iter_)}

    clock, cpu = time.perf_counter(), time.process_time()
    p = model.predict_proba(with_attributes(open_set, open_lead).to_numpy(np.float32))[:, 1]
    rank = np.argsort(-p, kind="stable")
    pd.DataFrame({"rank": np.arange(1, len(p) + 1), "lead_id": leads["lead_id"].values[open_lead[rank]], "probability": np.round(p[rank], 6)}) \
        .to_csv(out + ".tmp", index=False)
    os.replace(out + ".tmp", out)
    return {**training, "score_seconds": time.perf_counter() - clock, "score_cpu_seconds": time.process_time() - cpu, "scored": int(len(p))}


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "--prepare":
        load_cache(sys.argv[1])
    elif len(sys.argv) > 3 and sys.argv[2] == "--pipeline":
        main(sys.argv[1], sys.argv[3])
    else:
        main(sys.argv[1])
