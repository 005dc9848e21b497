#!/usr/bin/env bash
# Regenerates imagebuilder-2019-12-02.json.gz from an installed botocore:
# the service model with documentation strings removed (the fake validates
# requests and shapes responses from it). Usage: model/regenerate.sh [service-2.json.gz]
set -euo pipefail
src=${1:-$(python3 -c 'import botocore,os;print(os.path.join(os.path.dirname(botocore.__file__),"data/imagebuilder/2019-12-02/service-2.json.gz"))')}
cd "$(dirname "$0")"
python3 - "$src" <<'PY'
import gzip, json, sys
m = json.load(gzip.open(sys.argv[1]))
ops = {n: {k: o[k] for k in ("name", "http", "input", "output", "errors") if k in o} for n, o in m["operations"].items()}
shapes = {}
for n, s in m["shapes"].items():
    s = dict(s); s.pop("documentation", None)
    if "members" in s:
        s["members"] = {k: {kk: vv for kk, vv in v.items() if kk != "documentation"} for k, v in s["members"].items()}
    shapes[n] = s
data = json.dumps({"metadata": m["metadata"], "operations": ops, "shapes": shapes}, sort_keys=True, separators=(",", ":")).encode()
with gzip.GzipFile("imagebuilder-2019-12-02.json.gz", "wb", mtime=0) as f:
    f.write(data)
PY
