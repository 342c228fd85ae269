//! `hvsim run --trace insn` on the hypervisor Machine (docs/run.md): every guest
//! instruction in the `--bare --trace insn` line format, interleaved in execution order
//! with the exit lines; the digest and the exit trace are those of an untraced run.

mod cli_support;
use cli_support::{fixture, hvsim, text};

/// The value after `key` on the summary line that has it.
fn summary<'a>(stderr: &'a str, key: &str) -> &'a str {
    stderr
        .lines()
        .find_map(|l| l.split_once(key).map(|(_, v)| v))
        .unwrap_or_else(|| panic!("no '{key}' in {stderr}"))
}

fn is_insn_line(l: &str) -> bool {
    l.starts_with("0x") && l.len() > 18
}

/// `exit t=17 cpu=0 Nothing` → `exit cpu=0 Nothing` (the golden-file form).
fn without_time(exit_line: &str) -> String {
    let mut words: Vec<&str> = exit_line.split(' ').collect();
    if words.get(1).is_some_and(|w| w.starts_with("t=")) {
        words.remove(1);
    }
    words.join(" ")
}

#[test]
fn hello_traces_instructions_with_disassembly_between_its_exits() {
    let o = hvsim(&["run", "--trace", "insn", &fixture("hello.elf")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // The console is untouched: stdout is the guest's output only.
    let console = std::fs::read_to_string(fixture("hello.console")).expect("console");
    assert_eq!(text(&o.stdout), console);

    let err = text(&o.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with("hvsim:")).collect();
    // The guest starts at the ELF entry (0x8000_0000, fixtures/riscv64/link.ld) with
    // hello.S's first instruction, `bnez a0, fail` (compressed): the same columns as
    // `--bare --trace insn` (pc, encoding, disassembly).
    let first: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(first[0], "0x0000000080000000", "{}", lines[0]);
    assert_eq!(first[2], "c.bnez", "{}", lines[0]);

    // Every exit of hello is an SBI call (54 console calls answered in the vCPU, then the
    // SRST shutdown): the line before each exit line is the ECALL trapping to HS
    // (exception 10, ECALL from VS-mode), and no exit line comes first or twice in a row.
    let mut exits = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("exit ") {
            assert!(i > 0, "an exit before any instruction");
            let prev = lines[i - 1];
            assert!(
                prev.contains(" ecall ") && prev.ends_with("exception 10 (tval 0x0)"),
                "line {i}: exit not preceded by its ECALL: {prev:?}"
            );
            exits.push(without_time(l));
        } else {
            assert!(is_insn_line(l), "neither an instruction nor an exit: {l:?}");
        }
    }
    // The exit lines are the golden trace, in order.
    let golden = std::fs::read_to_string(fixture("hello.exits")).expect("golden");
    let golden: Vec<&str> = golden.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(exits, golden);

    // One line per retired instruction: as many as the summary counts.
    let retired = lines
        .iter()
        .filter(|l| is_insn_line(l) && !l.contains(" exception "))
        .count();
    let counted: usize = summary(&err, "instructions: ")
        .split(',')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("instruction count");
    assert_eq!(retired, counted);

    // Instruction events are not digested: the digest is the fixture's golden one.
    let digest = std::fs::read_to_string(fixture("hello.digest")).expect("digest");
    assert_eq!(summary(&err, "digest: ").trim(), digest.trim());
}

/// Without `--trace insn` nothing changes: no instruction lines, the same exit lines and
/// the same digest as with it (and as the goldens).
#[test]
fn exit_trace_and_digest_do_not_depend_on_insn_tracing() {
    // (fixture, --vcpus) as fixtures/riscv64/digests.sh records them.
    for (name, vcpus) in [("uart", "1"), ("smp", "2"), ("timer", "1")] {
        let elf = fixture(&format!("{name}.elf"));
        let plain = hvsim(&["run", "--vcpus", vcpus, "--trace", "exits", &elf]);
        let traced = hvsim(&["run", "--vcpus", vcpus, "--trace", "insn", &elf]);
        assert_eq!(plain.status.code(), traced.status.code(), "{name}");
        assert_eq!(plain.stdout, traced.stdout, "{name}: console");
        let (p, t) = (text(&plain.stderr), text(&traced.stderr));
        assert!(!p.lines().any(is_insn_line), "{name}: insn lines untraced");
        assert!(t.lines().any(is_insn_line), "{name}: no insn lines traced");
        let exits = |s: &str| -> Vec<String> {
            s.lines()
                .filter(|l| l.starts_with("exit "))
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(exits(&p), exits(&t), "{name}: exit lines");
        let digest = std::fs::read_to_string(fixture(&format!("{name}.digest"))).expect("d");
        assert_eq!(summary(&p, "digest: ").trim(), digest.trim(), "{name}");
        assert_eq!(summary(&t, "digest: ").trim(), digest.trim(), "{name}");
    }
}
