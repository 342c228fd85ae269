#!/usr/bin/env bash
# Host instructions per guest exit on the full path (guest -> vCPU -> Machine -> guest),
# counted by valgrind's callgrind: unlike the timings of `cargo bench --bench slice_exits`,
# the count is the same on every run of the same binary, however loaded the machine is,
# so it shows what a change to the exit path costs or saves (docs/run.md, "Exit rate").
#
# Runs fixtures/riscv64/hcloop.elf (one hypercall exit per two retired guest instructions)
# twice, for N and 2N exits, and divides the difference by N, which cancels start-up.
#
# Usage: scripts/exit-cost.sh [N]   (default N = 200000; needs valgrind)
# Env:   EXIT_COST_TOP=K  also print the K most expensive functions (self cost) of the
#        larger run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
N=${1:-200000}
command -v valgrind >/dev/null || { echo "exit-cost: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
cargo build --release --quiet
OUT=target/exit-cost
mkdir -p "$OUT"
count() {
    # $1 = exits; hcloop retires two instructions per exit.
    valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.$1" \
        target/release/hvsim run fixtures/riscv64/hcloop.elf --max-insns $(( $1 * 2 )) \
        >/dev/null 2>"$OUT/valgrind.$1.log" || true
    grep -o 'refs: *[0-9,]*' "$OUT/valgrind.$1.log" | tr -d ', ' | cut -d: -f2
}
a=$(count "$N")
b=$(count $(( 2 * N )))
if [ -z "$a" ] || [ -z "$b" ]; then
    echo "exit-cost: valgrind produced no count (see $OUT/valgrind.*.log)" >&2
    exit 1
fi
echo "exit-cost: $(( (b - a) / N )) host instructions per hypercall exit ($N exits, callgrind)"
if [ -n "${EXIT_COST_TOP:-}" ]; then
    callgrind_annotate "$OUT/callgrind.$(( 2 * N ))" 2>/dev/null | sed -n "24,$(( 24 + EXIT_COST_TOP ))p"
fi
