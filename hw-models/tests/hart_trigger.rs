//! Sdtrig with zero triggers: the discovery sequence M-mode software uses must see "no
//! trigger" instead of trapping (RISC-V Debug Specification, "Trigger Module": `tselect` is
//! WARL, `tdata1`.type = 0 means no trigger at this index, `tinfo` = 1 for a nonexistent
//! trigger), and the registers stay M-only (priv "CSR Address Mapping Conventions":
//! bits 9:8 = 3 is the lowest privilege allowed).

use hw_models::riscv::cause::exc;
use hw_models::riscv::csr_num as n;
use hw_models::riscv::hart::{CsrAccess, Hart, HartConfig};
use hw_models::riscv::privilege::Mode;

fn hart() -> Hart {
    Hart::new(HartConfig::default())
}

#[test]
fn tselect_only_holds_zero_and_tdata1_reports_no_trigger() {
    let mut h = hart();
    for v in [0u64, 1, 7, u64::MAX] {
        h.csr_access(Mode::M, n::TSELECT, CsrAccess::Write(v))
            .expect("M may write tselect");
        assert_eq!(
            h.csr_access(Mode::M, n::TSELECT, CsrAccess::Read).unwrap(),
            0
        );
        // type (bits XLEN-1:XLEN-4) = 0: no trigger, so software stops probing.
        let tdata1 = h.csr_access(Mode::M, n::TDATA1, CsrAccess::Read).unwrap();
        assert_eq!(tdata1 >> 60, 0);
    }
    assert_eq!(h.csr_access(Mode::M, n::TINFO, CsrAccess::Read).unwrap(), 1);
    h.csr_access(Mode::M, n::TDATA2, CsrAccess::Write(0x8000_0000))
        .unwrap();
    assert_eq!(
        h.csr_access(Mode::M, n::TDATA2, CsrAccess::Read).unwrap(),
        0
    );
}

#[test]
fn trigger_csrs_are_machine_only() {
    let mut h = hart();
    for csr in [n::TSELECT, n::TDATA1, n::TDATA2, n::TDATA3, n::TINFO] {
        for mode in [Mode::HS, Mode::U, Mode::VS, Mode::VU] {
            let err = h.csr_access(mode, csr, CsrAccess::Read).unwrap_err();
            // From V=1 an M-level CSR is still illegal, not virtual (norm:H_csrs_hs_not_vs
            // covers only HS-level CSRs).
            assert_eq!(
                err.cause,
                exc::ILLEGAL_INSTRUCTION,
                "{csr:#x} from {}",
                mode.name()
            );
        }
    }
}
