#!/usr/bin/env bash
# Instructions per delivered packet of the steady 8-peer call with audio, counted by valgrind: the
# same tree gives the same count run after run, where wall-clock timings on a shared machine swing by
# 30 %. V8 runs single-threaded and predictable, with fixed seeds (without `--predictable` the
# collector paces itself by the clock: three runs of one tree counted 11,651, 11,883 and 12,234
# instructions a packet). The call runs to 25 s and to 45 s of simulated time, and the difference of
# the two counts is divided by the difference of the packets delivered, which leaves start-up and
# the joins out. Single-threaded, V8's optimizing compilers run on the main thread (in a normal run
# they have a thread of their own) and still work between 25 s and 45 s (code first reached when the
# 30 s windows start to expire), so their share is counted apart: "without the compiler" is the
# figure to compare changes by. A change also moves where young-generation collections and V8's
# inlining decisions fall, which can shift the count by a few hundred either way: differences that
# small say little about the change itself.
#   bash bench/instructions.sh [--by-function] [playout ...]
#     (default: callsim fixed-3; needs valgrind: apt-get install valgrind)
#   --by-function: also the 40 functions with the most instructions per packet (JS functions by name
#     and line in the bundle it prints the path of; inlined callees count in their caller)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind > /dev/null || { echo "instructions.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
by_function=false
if [ "${1:-}" = --by-function ]; then by_function=true; shift; fi
out=$(mktemp -d)
$by_function || trap 'rm -rf "$out"' EXIT
# one plain ESM file: no loader thread under valgrind
node_modules/.bin/esbuild bench/call-steady.ts --bundle --format=esm --platform=node --log-level=warning --outfile="$out/call.mjs"
split() { node_modules/.bin/tsx bench/callgrind-split.ts "$@"; }
count() { # playout, simulated ms → "instructions compiler-instructions packets" (and $out/<playout>-<ms>.json by function)
  local flags=() log pid json
  local node_flags=(--single-threaded --predictable --hash-seed=1 --random-seed=1)
  # by function: instruction addresses, and V8's code map to name them (interpreted functions too)
  $by_function && flags=(--dump-instr=yes) && node_flags+=(--perf-basic-prof --interpreted-frames-native-stack --no-compact-code-space)
  (cd "$out" && exec valgrind --tool=callgrind "${flags[@]}" --callgrind-out-file="$out/cg.out" node "${node_flags[@]}" call.mjs "$1" "$2" > "$out/log" 2>&1) &
  pid=$!
  wait $pid
  log=$(cat "$out/log")
  if $by_function; then json=$(split "$out/cg.out" "/tmp/perf-$pid.map"); else json=$(split "$out/cg.out"); fi
  rm -f "$out/cg.out" "/tmp/perf-$pid.map"
  $by_function && echo "$json" > "$out/$1-$2.json"
  echo "$json" | node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); process.stdout.write(`${j.total} ${j.compiler}`)'
  echo " $(echo "$log" | awk '/^packets /{print $2}')"
}
playouts=("$@")
[ ${#playouts[@]} -gt 0 ] || playouts=(callsim fixed-3)
for p in "${playouts[@]}"; do node "$out/call.mjs" "$p" 1 > /dev/null || exit 2; done # bad names, said before valgrind starts
for p in "${playouts[@]}"; do
  read -r i1 c1 p1 < <(count "$p" 25000)
  read -r i2 c2 p2 < <(count "$p" 45000)
  packets=$((p2 - p1))
  echo "call-8 $p: $(( (i2 - i1 - (c2 - c1)) / packets )) instructions per packet without the compiler, $(( (i2 - i1) / packets )) with it ($packets packets counted)"
  if $by_function; then split --per-packet "$out/$p-25000.json" "$out/$p-45000.json" "$packets" 40; fi
done
if $by_function; then echo "(bundle: $out/call.mjs)"; fi
