#!/usr/bin/env bash
# Differential check of the native RISC-V backend (docs/native.md):
# each VS-mode guest fixture runs (1) natively, under the bare-metal runner
# (native/riscv-runner) on QEMU's H extension, and (2) in the simulator
# (`hvsim run --trace exits`), or, where this tree has no `hvsim run` for hypervisor
# guests yet, against the committed golden trace fixtures/riscv64/<name>.exits; the exit
# traces must agree line for line after normalisation.
#
# Normalisation (every rule has a reason; anything else that differs is a failure):
#   - ` t=<n>` is dropped: the sim's t is virtual time, the runner's is the hart's `time`
#     CSR; when an exit happens is not part of what is compared, only which and in what order.
#   - `Preempted` lines are dropped: they are the sim's scheduling quanta (an instruction
#     budget); the runner has no quanta. They carry no guest-visible state.
#
# Usage: scripts/native-diff.sh [fixture...]   (default: the list below)
# Env:   NATIVE_DIFF_TIMEOUT (seconds per QEMU run, default 30)
#        NATIVE_DIFF_ALLOW_SKIP=1 : if QEMU cannot be installed (not root, no network),
#        print NOT CHECKED and exit 0 instead of failing.
#        HVSIM : an hvsim binary to use as the sim reference (default: build target/debug/hvsim).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
FIXDIR=fixtures/riscv64
TIMEOUT=${NATIVE_DIFF_TIMEOUT:-30}
OUT=$ROOT/target/native-diff
RUNNER_DIR=native/riscv-runner
RUNNER_TARGET=$ROOT/target/native-runner
RUNNER_BIN=$RUNNER_TARGET/riscv64gc-unknown-none-elf/release/hvsim-riscv-runner
mkdir -p "$OUT"

if [ "$#" -gt 0 ]; then
    FIXTURES=("$@")
else
    # <name>[:<extra -cpu properties>]: the same fixture and reference on another hart.
    # native-smoke:sstc=false has no Sstc, so bind's vstimecmp probe traps (OpenSBI
    # redirects the illegal instruction) and must come back as a value.
    FIXTURES=(native-smoke native-smoke:sstc=false native-gpf hello uart hypercall paging illegal timer shutdown smp)
fi
# The runner drives one vCPU on one hart; multi-hart guests are listed but not run.
UNSUPPORTED_SMP=(smp)

say() { printf 'native-diff: %s\n' "$*"; }

# --- QEMU ---------------------------------------------------------------------------
if ! scripts/install-qemu.sh >"$OUT/install-qemu.log" 2>&1; then
    tail -n 20 "$OUT/install-qemu.log" | sed 's/^/  | /'
    if [ "${NATIVE_DIFF_ALLOW_SKIP:-0}" = 1 ]; then
        say "NOT CHECKED: QEMU >= 10 with OpenSBI is not available (see above); nothing was compared"
        exit 0
    fi
    say "FAIL: cannot install QEMU (scripts/install-qemu.sh); set NATIVE_DIFF_ALLOW_SKIP=1 to skip"
    exit 1
fi
say "$(tail -n 1 "$OUT/install-qemu.log")"

# --- the runner is outside the workspace, so CI's fmt/clippy steps do not see it --------
if ! (cd "$RUNNER_DIR" && cargo fmt --check && CARGO_TARGET_DIR="$RUNNER_TARGET" \
    cargo clippy -q --release -- -D warnings) >"$OUT/runner-lint.log" 2>&1; then
    sed 's/^/  | /' "$OUT/runner-lint.log" | tail -n 40
    say "FAIL: native/riscv-runner is not fmt/clippy clean"
    exit 1
fi
say "runner: fmt and clippy clean"

# --- reference: the simulator, if it can run hypervisor guests -----------------------
sim_available=0
HVSIM=${HVSIM:-}
# Building hvsim is only worth it when its CLI has an `exits` trace kind (a cheap source
# check; if it misses, the committed golden traces, which the sim's own tests keep equal to
# its output, are the reference).
if [ -z "$HVSIM" ] && grep -rqsE '\bExits\b' src/cli && cargo build -q --bin hvsim 2>"$OUT/hvsim-build.log"; then
    HVSIM=$ROOT/target/debug/hvsim
fi
if [ -n "$HVSIM" ] && "$HVSIM" run --help 2>/dev/null | grep -q -- 'exits'; then
    sim_available=1
    say "reference: $HVSIM run --trace exits"
else
    say "reference: committed golden traces ($FIXDIR/<name>.exits): this tree's hvsim has no 'run --trace exits' for hypervisor guests yet"
fi

# The comparable exit lines of a log: extract, drop t=, drop Preempted, strip CR.
normalise() {
    tr -d '\r' <"$1" |
        grep -aoE 'exit t=[0-9]+ cpu=[0-9]+ [A-Za-z]+.*' |
        sed -E 's/^exit t=[0-9]+ /exit /' |
        grep -avE '^exit cpu=[0-9]+ Preempted$' || true
}

# The runner's HLV/HLVX probe lines against <name>.probes (spec-derived). A mismatch is
# accepted only if the lines equal <name>.probes.qemu, which differs from the spec file
# exactly in QEMU's documented deviations (docs/native.md, "Known QEMU deviations").
# Prints a short note; fails on any other difference.
check_probes() {
    local name=$1 log=$2 key=$3 spec=$FIXDIR/$1.probes qemu=$FIXDIR/$1.probes.qemu
    [ -e "$spec" ] || return 0
    tr -d '\r' <"$log" | grep -aoE 'native-probe .*' >"$OUT/$key.probes" || true
    if diff -u --label "$spec" --label native <(grep -v '^#' "$spec") "$OUT/$key.probes" >"$OUT/$key.probes.diff"; then
        echo "probes as the spec says"
    elif [ -e "$qemu" ] && diff -q <(grep -v '^#' "$qemu") "$OUT/$key.probes" >/dev/null; then
        sed 's/^/  | /' "$OUT/$key.probes.diff" >&2
        echo "probes as the spec says except known QEMU deviations ($qemu)"
    else
        sed 's/^/  | /' "$OUT/$key.probes.diff" >&2
        echo "HLV/HLVX probes differ from $spec"
        return 1
    fi
}

declare -a passed=() failed=() skipped=()

for entry in "${FIXTURES[@]}"; do
    name=${entry%%:*}
    props=
    [ "$entry" != "$name" ] && props=",${entry#*:}"
    tag=$name${props:+ (-cpu rv64,h=true$props)}
    key=${entry//[:=,]/_}
    elf=$FIXDIR/$name.elf
    golden=$FIXDIR/$name.exits
    if [ ! -e "$elf" ]; then
        skipped+=("$tag (no $elf yet)")
        continue
    fi
    if printf '%s\n' "${UNSUPPORTED_SMP[@]}" | grep -qx "$name"; then
        skipped+=("$tag (several harts: the runner drives one vCPU)")
        continue
    fi

    # Reference trace.
    ref=$OUT/$key.ref.log
    if [ "$sim_available" = 1 ]; then
        timeout "$TIMEOUT" "$HVSIM" run --trace exits "$elf" >"$ref" 2>&1
        refname="hvsim run"
    elif [ -e "$golden" ]; then
        cp "$golden" "$ref"
        refname="$golden"
    else
        skipped+=("$tag (no hvsim run and no $golden)")
        continue
    fi

    # Native trace: one runner build per guest (the ELF is embedded), one QEMU run.
    if ! (cd "$RUNNER_DIR" && HVSIM_NATIVE_GUEST="$ROOT/$elf" CARGO_TARGET_DIR="$RUNNER_TARGET" \
        cargo build -q --release) >"$OUT/$key.build.log" 2>&1; then
        sed 's/^/  | /' "$OUT/$key.build.log" | tail -n 30
        failed+=("$tag (runner build failed)")
        continue
    fi
    log=$OUT/$key.native.log
    timeout "$TIMEOUT" qemu-system-riscv64 -M virt -cpu "rv64,h=true$props" -smp 1 -m 512M \
        -nographic -bios default -kernel "$RUNNER_BIN" </dev/null >"$log" 2>&1
    rc=$?

    normalise "$ref" >"$OUT/$key.ref.exits"
    normalise "$log" >"$OUT/$key.native.exits"
    if ! grep -aq 'native: outcome' "$log"; then
        why="runner did not finish (qemu rc=$rc; timeout ${TIMEOUT}s is rc 124)"
        tail -n 15 "$log" | sed 's/^/  | /'
        failed+=("$tag ($why)")
    elif ! [ -s "$OUT/$key.ref.exits" ]; then
        failed+=("$tag (reference $refname has no exit lines)")
    elif ! diff -u --label "$refname" --label native "$OUT/$key.ref.exits" "$OUT/$key.native.exits" >"$OUT/$key.diff"; then
        sed 's/^/  | /' "$OUT/$key.diff"
        failed+=("$tag (exit traces differ from $refname)")
    elif ! probes=$(check_probes "$name" "$log" "$key"); then
        failed+=("$tag (exits match; $probes)")
    else
        passed+=("$tag ($(wc -l <"$OUT/$key.native.exits") exits vs $refname${probes:+; $probes})")
    fi
done

say "summary"
for p in "${passed[@]+"${passed[@]}"}"; do echo "  PASS        $p"; done
for f in "${failed[@]+"${failed[@]}"}"; do echo "  FAIL        $f"; done
for s in "${skipped[@]+"${skipped[@]}"}"; do echo "  NOT CHECKED $s"; done
say "${#passed[@]} passed, ${#failed[@]} failed, ${#skipped[@]} not checked (logs in target/native-diff/)"
if [ "${#passed[@]}" -eq 0 ] && [ "${#failed[@]}" -eq 0 ]; then
    say "FAIL: nothing was compared"
    exit 1
fi
[ "${#failed[@]}" -eq 0 ]
