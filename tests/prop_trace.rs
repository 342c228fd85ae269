//! Trace helpers (`hvsim::testkit::trace`), and `hvsim diff` (riscv-slice's command) on
//! the same files.

mod cli_support;
use cli_support::hvsim;

use std::path::{Path, PathBuf};

use hvsim::testkit::trace::{DiffOptions, first_divergence, jsonl_lines};
use proptest::prelude::*;

const HELLO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/riscv64/hello.elf");

proptest! {
    /// first_divergence finds exactly the first index where two traces differ (a changed
    /// line, or one trace ending early), and nothing when they are equal.
    #[test]
    fn first_divergence_is_the_first_difference(
        a in proptest::collection::vec("[a-c]{1,3}", 0..20),
        cut in any::<prop::sample::Index>(),
        change in any::<bool>(),
    ) {
        prop_assert!(first_divergence(&a, &a).is_none());
        if a.is_empty() {
            return Ok(());
        }
        let i = cut.index(a.len());
        let mut b = a.clone();
        if change {
            b[i].push('x');
        } else {
            b.truncate(i);
        }
        let d = first_divergence(&a, &b).expect("differs");
        prop_assert_eq!(d.index, i);
        prop_assert_eq!(d.left.as_ref(), a.get(i));
        prop_assert_eq!(d.right.as_ref(), b.get(i));
        let want = format!("line {}", i + 1);
        prop_assert!(d.to_string().contains(&want), "{}", d);
    }
}

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("prop-trace-{name}"))
}

/// `hvsim run --trace-out` twice gives traces `hvsim diff` calls equal (status 0); one
/// changed event is reported at its line with both versions (status 1); a malformed file
/// is one error line naming the file.
#[test]
fn hvsim_diff_end_to_end() {
    let (a, b) = (tmp("a.jsonl"), tmp("b.jsonl"));
    for p in [&a, &b] {
        let o = hvsim(&["run", HELLO, "--trace-out", p.to_str().expect("utf-8")]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let same = hvsim(&["diff", a.to_str().expect("p"), b.to_str().expect("p")]);
    assert_eq!(same.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&same.stdout).starts_with("same:"));

    let text = std::fs::read_to_string(&a).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 3, "hello makes several exits");
    let changed = lines[2].replace("\"cpu\":0", "\"cpu\":7");
    lines[2] = &changed;
    let c = tmp("c.jsonl");
    std::fs::write(&c, lines.join("\n")).expect("write");
    let diff = hvsim(&["diff", a.to_str().expect("p"), c.to_str().expect("p")]);
    assert_eq!(diff.status.code(), Some(1));
    let out = String::from_utf8_lossy(&diff.stdout);
    assert!(out.contains("line 3"), "{out}");
    assert!(out.contains("cpu=7") && out.contains("cpu=0"), "{out}");

    let bad = tmp("bad.jsonl");
    std::fs::write(&bad, "{oops\n").expect("write");
    let err = hvsim(&["diff", a.to_str().expect("p"), bad.to_str().expect("p")]);
    assert_eq!(err.status.code(), Some(1));
    let e = String::from_utf8_lossy(&err.stderr);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("bad.jsonl") && e.contains("line 1"), "{e}");

    // The library reads the same files.
    let opts = DiffOptions {
        exits_only: true,
        ignore_time: true,
    };
    let ev = jsonl_lines(&text, opts).expect("parse");
    assert!(ev.iter().all(|l| l.starts_with("exit cpu=")), "{ev:?}");
}
