#!/usr/bin/env python3
"""Writes the load run's request bodies from the sample lead list: one lead, and a batch of N leads (cycling the file)."""
import csv, json, sys

src, out_dir, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, newline="") as f:
    leads = list(csv.DictReader(f))

def typed(lead):
    out = {}
    for k, v in lead.items():
        if v == "":
            out[k] = None
        else:
            try:
                out[k] = int(v)
            except ValueError:
                out[k] = v
    return out

leads = [typed(l) for l in leads]
with open(f"{out_dir}/single.json", "w") as f:
    json.dump([leads[0]], f)
with open(f"{out_dir}/batch.json", "w") as f:
    json.dump([dict(leads[i % len(leads)], lead_id=f"B-{i}") for i in range(batch)], f)
