#!/usr/bin/env bash
# Benchmark: `ibgitops plan` against `git diff --name-status` on the same
# two commits of a generated monorepo (20,000 files, 5,000 commits, the
# ibgitops resources under images/), 500 commits apart. Prints both times,
# the ratio and ibgitops's peak memory. Target: ratio <= 3, memory <= 300 MB.
#
# Env: FILES (20000), COMMITS (5000), GAP (500), RUNS (10), KEEP=1 keeps the
# generated repo, REPO=DIR reuses one kept before.
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${FILES:-20000} COMMITS=${COMMITS:-5000} GAP=${GAP:-500} RUNS=${RUNS:-10}
work=$(mktemp -d)
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$work"' EXIT
repo=${REPO:-$work/repo} bin=$work/ibgitops
CGO_ENABLED=0 go build -trimpath -o "$bin" ./cmd/ibgitops
if [ ! -d "$repo/.git" ]; then

# --- generate the repository with git fast-import -------------------------
python3 - "$FILES" "$COMMITS" > "$work/stream" <<'PY'
import random, sys
files, commits = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout.buffer
rnd = random.Random(42)
def data(s):
    b = s.encode()
    out.write(b"data %d\n" % len(b)); out.write(b); out.write(b"\n")
def component(i, rev):
    return ("kind: Component\nname: c%02d\nversion: 1.0.0\nplatform: Linux\ndocument:\n  schemaVersion: 1.0\n"
            "  phases:\n    - name: build\n      steps:\n        - name: Step\n          action: ExecuteBash\n"
            "          inputs:\n            commands:\n              - echo rev %d\n") % (i, rev)
def recipe(i):
    parent = "recipe:r%02d" % (i - 10) if i >= 10 else "ami-0123456789abcdef0"
    return ("kind: ImageRecipe\nname: r%02d\nversion: 1.0.0\nparentImage: %s\ncomponents:\n"
            "  - name: c%02d\n  - name: c%02d\n") % (i, parent, 2 * i, 2 * i + 1)
resources = {"ibgitops.yaml": "root: images\n",
             "images/infrastructure/build.yaml": "kind: InfrastructureConfiguration\nname: build\ninstanceProfileName: EC2InstanceProfileForImageBuilder\n"}
for i in range(40): resources["images/components/c%02d.yaml" % i] = component(i, 0)
for i in range(20):
    resources["images/recipes/r%02d.yaml" % i] = recipe(i)
    resources["images/pipelines/p%02d.yaml" % i] = ("kind: ImagePipeline\nname: p%02d\nimageRecipe: r%02d\n"
                                                      "infrastructureConfiguration: build\n") % (i, i)
src = ["src/d%03d/f%03d.txt" % (n // 100, n % 100) for n in range(files - len(resources))]
t = 1700000000
def commit(n, msg, changes):
    out.write(b"commit refs/heads/main\n")
    out.write(b"author Dev <dev@example.com> %d +0000\ncommitter Dev <dev@example.com> %d +0000\n" % (t + n * 60, t + n * 60))
    data(msg)
    for path, content in changes:
        out.write(b"M 100644 inline %s\n" % path.encode()); data(content)
first = [(p, "file %s\n" % p) for p in src] + sorted(resources.items())
commit(0, "chore: initial import", first)
kinds = ["fix", "feat", "chore", "fix", "refactor"]
for n in range(1, commits):
    changes = [(p, "file %s rev %d\n" % (p, n)) for p in rnd.sample(src, 4)]
    msg = "chore: update sources %d" % n
    if n % 10 == 0:
        c = (n // 10) % 40
        changes.append(("images/components/c%02d.yaml" % c, component(c, n)))
        msg = "%s(c%02d): change %d" % (kinds[(n // 10) % len(kinds)], c, n)
    commit(n, msg, changes)
PY
git init -q -b main "$repo"
git -C "$repo" fast-import --quiet < "$work/stream"
git -C "$repo" checkout -q main
git -C "$repo" gc -q
fi
head=$(git -C "$repo" rev-parse HEAD)
base=$(git -C "$repo" rev-parse "HEAD~$GAP")
nfiles=$(git -C "$repo" ls-files | wc -l); ncommits=$(git -C "$repo" rev-list --count HEAD)
echo "repo: $nfiles files, $ncommits commits; base HEAD~$GAP, head HEAD; $(git -C "$repo" diff --name-only "$base" "$head" | wc -l) paths changed"

plan=("$bin" plan --root "$repo" --base "$base" --head "$head" --format json)
gitdiff=(git -C "$repo" diff --name-status "$base" "$head")
"${plan[@]}" > "$work/plan.json"
echo "plan: $(grep -c '"change"' "$work/plan.json") changes, $(grep -c '"pipelines"' "$work/plan.json") builds"

# --- time both -------------------------------------------------------------
if command -v hyperfine > /dev/null; then
  hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$work/h.json" \
    -n "git diff --name-status" "${gitdiff[*]}" -n "ibgitops plan" "${plan[*]}" > "$work/hyperfine.txt"
  read -r tgit tplan < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[0]["mean"]*1000, r[1]["mean"]*1000)' "$work/h.json")
  tool=hyperfine
else
  mean_ms() { # runs "$@" RUNS times, prints the mean in ms
    "$@" > /dev/null; local s e
    s=$(date +%s%N); for ((i = 0; i < RUNS; i++)); do "$@" > /dev/null; done; e=$(date +%s%N)
    echo $(( (e - s) / RUNS / 1000 ))e-3
  }
  tgit=$(mean_ms "${gitdiff[@]}"); tplan=$(mean_ms "${plan[@]}"); tool="date loop"
fi
# For reference: git limited to the paths plan reads (plan diffs only the
# configured root and the settings file, never the rest of the monorepo).
scoped=(git -C "$repo" diff --name-status "$base" "$head" -- images ibgitops.yaml)
"${scoped[@]}" > /dev/null; s=$(date +%s%N); for ((i = 0; i < RUNS; i++)); do "${scoped[@]}" > /dev/null; done; e=$(date +%s%N)
echo "(reference) git diff --name-status -- images ibgitops.yaml: $(( (e - s) / RUNS / 1000000 )) ms"
mem_kb=$(/usr/bin/time -v "${plan[@]}" 2>&1 > /dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}')
python3 - "$tgit" "$tplan" "$mem_kb" "$RUNS" "$tool" <<'PY'
import sys
tgit, tplan, mem, runs, tool = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
ratio = tplan / tgit
print("git diff --name-status: %7.1f ms (mean of %s, %s)" % (tgit, runs, tool))
print("ibgitops plan:          %7.1f ms" % tplan)
print("ratio:                  %7.2f   (target <= 3)   %s" % (ratio, "OK" if ratio <= 3 else "OVER"))
print("ibgitops peak memory:   %7.1f MB (target <= 300) %s" % (mem / 1024, "OK" if mem / 1024 <= 300 else "OVER"))
PY
