#!/usr/bin/env bash
# Instructions per delivered packet of the steady 8-peer call with audio, counted by valgrind: the
# same tree gives the same count run after run (a clean clone within about 0.1 %), where wall-clock
# timings on a shared machine swing by 30 %. V8 runs single-threaded with fixed seeds; the call runs
# to 25 s and to 45 s of simulated time, and the difference of the two counts is divided by the
# difference of the packets delivered, which leaves start-up, compilation and the joins out.
#   bash bench/instructions.sh [playout ...]    (default: callsim fixed-3; needs valgrind: apt-get install valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind > /dev/null || { echo "instructions.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# one plain ESM file: no loader thread under valgrind
node_modules/.bin/esbuild bench/call-steady.ts --bundle --format=esm --platform=node --log-level=warning --outfile="$out/call.mjs"
count() { # playout, simulated ms → "instructions packets"
  local log
  log=$(valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null node --single-threaded --hash-seed=1 --random-seed=1 "$out/call.mjs" "$1" "$2" 2>&1)
  echo "$(echo "$log" | grep 'I *refs' | tr -d ',' | awk '{print $NF}') $(echo "$log" | awk '/^packets /{print $2}')"
}
playouts=("$@")
[ ${#playouts[@]} -gt 0 ] || playouts=(callsim fixed-3)
for p in "${playouts[@]}"; do node "$out/call.mjs" "$p" 1 > /dev/null || exit 2; done # bad names, said before valgrind starts
for p in "${playouts[@]}"; do
  read -r i1 p1 < <(count "$p" 25000)
  read -r i2 p2 < <(count "$p" 45000)
  echo "call-8 $p: $(( (i2 - i1) / (p2 - p1) )) instructions per packet ($((p2 - p1)) packets counted)"
done
