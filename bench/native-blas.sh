#!/usr/bin/env bash
# Every figure of issue 14 (native CPU speed: OpenBLAS products for the wasm backend), in one script, in order:
#   1. doctor-openblas   `nextx doctor --threads 2`: 1024³ matMul GFLOP/s, OpenBLAS on 2 threads (and XNNPACK's 1-thread figure)
#   2. doctor-wasm       the same with NEXTX_BLAS=0: plain wasm, XNNPACK on 2 threads
#   3. bench-core        `nextx bench core --threads 2`: every routed matMul shape and the VQVAE-shaped conv2d, forward
#                        and forward+backward, OpenBLAS (2 and 1 threads) against XNNPACK routing and tfjs, ratios in one run
#   4. var-depth4        VAR depth 4 / width 256, nextx (OpenBLAS, 1 thread: nextx's default, and faster than 2 at this
#                        size) and the official PyTorch code (1 and 2 threads, the ratio to the best) in one run
#   5. var-d16           the release size (VAR-d16 + VQVAE ch160, 256×256) the same way, then the batch limit with OpenBLAS
#   6. var-d16-wasm      the batch limit on plain wasm (NEXTX_BLAS=0, XNNPACK 2 threads): its packed weight copies
#   7. gpt-train-1t      byte-GPT training step, OpenBLAS against XNNPACK alternately, 1 thread each (nextx's default)
#   8. gpt-train-2t      the same with 2 threads each (NEXTX_WASM_THREADS=2, NEXTX_XNNPACK_THREADS=2)
#   9. vqvae-train-1t    VQVAE training step (Fashion-MNIST config, batch 32), OpenBLAS against XNNPACK, 1 thread each
#  10. vqvae-train-2t    the same with 2 threads each
# Each step writes <step>.json (its JSON on stdout) and <step>.err (its progress and errors) into the results folder;
# steps.jsonl records each command, exit status and wall time; summary.md (bench/native-blas-report.mjs) has the
# BENCHMARKS.md tables filled in from the JSON. A failed step is recorded and the next one runs.
#
#   bash bench/native-blas.sh [--quick] [--d16] [--out <folder>] [--d16-batches 4,7,8]   (after `npm run build` and
#                                                                                    `npm run build:blas`)
# A full run takes about 12 minutes on a quiet 2-core machine (var-d16 about half of it). --quick: a smoke run (small
# sizes, one repeat, PyTorch on 1 thread, a few minutes); it skips the two d16 steps unless --d16 is given.
# --d16-batches: the batch sizes var-d16 tries with OpenBLAS, in order, stopping at the first that does not fit.
# --only <step,step>: just those steps (e.g. to rerun one that failed, into a new folder).
# Needs: the addon built and passing its self-check; for steps 4–6 Debian's python3-torch (NEXTX_BENCH_PYTHON,
# default /usr/bin/python3), a checkout of github.com/FoundationVision/VAR (VAR_CODE, default /tmp/VAR-official) and files of
# the release structure (VAR_D16_DIR, default /tmp/var-d16; written by packages/vision/bench/pytorch/make_released_size.py).
# Figures are only comparable on a quiet machine: the load average before and after is in every JSON.
set -uo pipefail
cd "$(dirname "$0")/.."

quick=0
d16=1
out=
batches=
only=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --d16) d16=2 ;;
    --out) out="$2"; shift ;;
    --d16-batches) batches="$2"; shift ;;
    --only) only=",$2,"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "native-blas bench: unknown option '$1' (--quick, --d16, --out <folder>, --d16-batches <n,n,…>, --only <step,…>)" >&2; exit 2 ;;
  esac
  shift
done
[ "$quick" = 1 ] && [ "$d16" = 1 ] && d16=0
out=${out:-bench-results/native-blas-$(date -u +%Y%m%dT%H%M%SZ)$([ "$quick" = 1 ] && echo -quick)}
PYTHON=${NEXTX_BENCH_PYTHON:-/usr/bin/python3}
VAR_CODE=${VAR_CODE:-/tmp/VAR-official}
VAR_D16_DIR=${VAR_D16_DIR:-/tmp/var-d16}
export NX_DAEMON=false NX_NO_CLOUD=true NEXTX_BENCH_PYTHON="$PYTHON"

# Preflight: everything the steps need, checked before the first figure.
problems=()
[ -f packages/core/dist/cli/main.js ] || problems+=("packages are not built: npm run build")
if ! node packages/native-blas/dist/cli.js check >/dev/null 2>&1; then
  problems+=("@nextx/native-blas is not usable: $(node packages/native-blas/dist/cli.js check 2>&1 | tail -1) (npm run build:blas)")
fi
"$PYTHON" -c 'import torch' 2>/dev/null || problems+=("$PYTHON cannot import torch (apt-get install -y python3-torch), or set NEXTX_BENCH_PYTHON")
[ -f "$VAR_CODE/models/var.py" ] || problems+=("no checkout of the official VAR code at $VAR_CODE (git clone https://github.com/FoundationVision/VAR, then set VAR_CODE)")
if [ "$d16" != 0 ]; then
  for file in vae_ch160v4096z32.pth var_d16.pth; do
    [ -f "$VAR_D16_DIR/$file" ] || problems+=("no $VAR_D16_DIR/$file: $PYTHON packages/vision/bench/pytorch/make_released_size.py $VAR_CODE $VAR_D16_DIR (or set VAR_D16_DIR)")
  done
fi
if [ ${#problems[@]} -gt 0 ]; then
  printf 'native-blas bench: cannot start:\n' >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 2
fi

mkdir -p "$out"
if awk '{ exit !($1 > 1.5) }' /proc/loadavg 2>/dev/null; then
  echo "native-blas bench: warning: the machine is busy (load average $(cut -d' ' -f1-3 /proc/loadavg)); wall times will be inflated" >&2
fi
echo "native-blas bench: $([ "$quick" = 1 ] && echo 'quick smoke run' || echo 'full run'), results in $out; load average $(cut -d' ' -f1-3 /proc/loadavg)"
failed=0
# run_step <name> <timeout seconds> <command...>: stdout to <name>.json, stderr to <name>.err, a line in steps.jsonl.
run_step() {
  local name=$1 limit=$2
  shift 2
  [ -z "$only" ] || [[ "$only" == *",$name,"* ]] || return 0
  local start=$SECONDS rc
  echo "native-blas bench: $name …"
  timeout "$limit" "$@" >"$out/$name.json" 2>"$out/$name.err"
  rc=$?
  local seconds=$((SECONDS - start))
  node -e 'const [name, rc, seconds, ...command] = process.argv.slice(1); console.log(JSON.stringify({ step: name, rc: Number(rc), seconds: Number(seconds), command: command.join(" ") }))' \
    "$name" "$rc" "$seconds" "$@" >>"$out/steps.jsonl"
  if [ "$rc" = 0 ]; then
    echo "native-blas bench: $name done in ${seconds} s"
  else
    failed=$((failed + 1))
    echo "native-blas bench: $name FAILED (exit $rc$([ "$rc" = 124 ] && echo ", over its ${limit} s"), ${seconds} s): $(tail -2 "$out/$name.err" | tr '\n' ' ')" >&2
  fi
}

nextx=(node packages/core/bin/nextx.js)
vision=(npx tsx packages/vision/bench)
if [ "$quick" = 1 ]; then
  core_sizes=(--wasm-size 256 --cpu-size 64 --conv-size 8 --repeats 1)
  depth4=(--repeats 1 --pytorch-threads 1 --pytorch-repeats 1)
  d16_blas=(--repeats 1 --pytorch-threads 1 --pytorch-repeats 1 --batches "${batches:-2}")
  d16_wasm=(--repeats 0 --batches 1)
  gpt=(--steps 1)
  vqvae=(--steps 1 --batch 8)
else
  core_sizes=(--wasm-size 1024 --cpu-size 256 --conv-size 32 --repeats 3)
  depth4=(--repeats 7 --pytorch-threads 1,2 --pytorch-repeats 5)
  # 2026-12-01 (shared machine): with OpenBLAS 7 images fitted the 4.29 GB heap (4.20 GB used); on XNNPACK 3 did not.
  d16_blas=(--repeats 2 --pytorch-threads 1,2 --pytorch-repeats 2 --batches "${batches:-4,7,8}")
  d16_wasm=(--repeats 0 --batches 2,3)
  gpt=(--steps 3)
  vqvae=(--steps 3 --batch 32)
fi

run_step doctor-openblas 180 env NEXTX_BLAS=1 "${nextx[@]}" doctor --threads 2 --json
run_step doctor-wasm 180 env NEXTX_BLAS=0 "${nextx[@]}" doctor --threads 2 --json
run_step bench-core 420 env NEXTX_BLAS=1 "${nextx[@]}" bench core --threads 2 --json "${core_sizes[@]}"
run_step var-depth4 300 env NEXTX_BLAS=1 NEXTX_WASM_THREADS=1 "${vision[@]}/var-generate.ts" --backends wasm --configs depth4 \
  --pytorch "$VAR_CODE" "${depth4[@]}"
if [ "$d16" != 0 ]; then
  run_step var-d16 900 env NEXTX_BLAS=1 NEXTX_WASM_THREADS=2 "${vision[@]}/var-released.ts" --dir "$VAR_D16_DIR" \
    --pytorch "$VAR_CODE" "${d16_blas[@]}"
  run_step var-d16-wasm 600 env NEXTX_BLAS=0 NEXTX_WASM_THREADS=2 "${vision[@]}/var-released.ts" --dir "$VAR_D16_DIR" "${d16_wasm[@]}"
else
  echo "native-blas bench: var-d16, var-d16-wasm skipped (--quick without --d16)"
fi
run_step gpt-train-1t 300 env NEXTX_BLAS=1 NEXTX_WASM_THREADS=1 npx tsx packages/core/bench/gpt-train-step.ts --backends wasm "${gpt[@]}"
run_step gpt-train-2t 300 env NEXTX_BLAS=1 NEXTX_WASM_THREADS=2 NEXTX_XNNPACK_THREADS=2 npx tsx packages/core/bench/gpt-train-step.ts --backends wasm "${gpt[@]}"
run_step vqvae-train-1t 300 env NEXTX_BLAS=1 NEXTX_WASM_THREADS=1 "${vision[@]}/vqvae-train-step.ts" "${vqvae[@]}"
run_step vqvae-train-2t 300 env NEXTX_BLAS=1 NEXTX_WASM_THREADS=2 NEXTX_XNNPACK_THREADS=2 "${vision[@]}/vqvae-train-step.ts" "${vqvae[@]}"

node bench/native-blas-report.mjs "$out" >"$out/summary.md" || echo "native-blas bench: the summary failed (the JSON files are intact)" >&2
echo "native-blas bench: $(node -e 'const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n"); console.log(lines.length + " steps in " + lines.reduce((s, l) => s + JSON.parse(l).seconds, 0) + " s")' "$out/steps.jsonl"), $failed failed; tables in $out/summary.md"
[ "$failed" = 0 ]
