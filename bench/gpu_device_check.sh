#!/usr/bin/env bash
# The one prepared device check of issue 15, for the GPU machine (about 3-5 minutes). Prepare first, here:
#   bash bench/gpu_device_prepare.sh          # wheels + sample files into .whl/ (git-ignored)
# then with the device tool:
#   run(command="bash bench/gpu_device_check.sh", carry=[".whl"], timeout_s=420)
# It installs the carried wheels into /tmp/site, runs the device tests (bench/gpu_device_check.py: GPU decoding
# against pydicom, integer batches on the GPU against DicomBlock on the CPU), then the benchmark (bench/gpu.py),
# teeing both to $OUT. Exit status: the device tests'.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
if [ -d .whl ] && ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site:$PWD
else export PYTHONPATH=$PWD; fi
[ -d .whl/data ] && export MEDIMG_DATA=$PWD/.whl/data
export MPLBACKEND=Agg PYTHONUNBUFFERED=1
nvidia-smi -L 2>&1 | head -2
timeout 180 python3 bench/gpu_device_check.py 2>&1 | tee "$OUT/device_check.txt"; rc=${PIPESTATUS[0]}
timeout 240 python3 bench/gpu.py --n 64 --bs 16 2>&1 | tee "$OUT/bench_gpu.txt"
exit $rc
