//! Nothing a guest or a caller does panics the host: random code in every mode with two-stage
//! translation configured, random CSR accesses from every mode, random HLV/HSV addresses.
//! Each run must end in a documented `StopReason` or an `Err` value.

mod hart_support;

use hart_support::guest::*;
use hart_support::*;
use hw_models::riscv::csr_num as n;
use hw_models::riscv::hart::{CsrAccess, HartConfig};
use hw_models::riscv::privilege::Mode;
use proptest::prelude::*;
use sim_core::AccessWidth;

const MODES: [Mode; 5] = [Mode::M, Mode::HS, Mode::U, Mode::VS, Mode::VU];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Random instruction words (biased towards SYSTEM, LOAD/STORE and AMO opcodes) in the
    /// guest's code pages, random hstatus/delegation/status values, any start mode.
    #[test]
    fn random_code_in_any_mode(
        words in prop::collection::vec(any::<u32>(), 64),
        bias in prop::collection::vec(0u32..5, 64),
        m in 0usize..5, hstatus in any::<u64>(), medeleg in any::<u64>(),
        hedeleg in any::<u64>(), mstatus in any::<u64>(), hs_host in any::<bool>(),
    ) {
        let mut bus = bus();
        let (hgatp, vsatp) = two_stage(&mut bus);
        let code: Vec<u32> = words.iter().zip(&bias).map(|(&w, &b)| match b {
            0 => (w & !0x7f) | 0x73,
            1 => (w & !0x7f) | 0x03,
            2 => (w & !0x7f) | 0x23,
            3 => (w & !0x7f) | 0x2f,
            _ => w,
        }).collect();
        write_words(&mut bus, gpa_to_hpa(GPA_RAM), &code);
        write_words(&mut bus, RAM_BASE, &code);
        let mut h = hart(HartConfig { hs_host, ..HartConfig::default() });
        for (c, v) in [
            (n::HGATP, hgatp), (n::VSATP, vsatp), (n::HSTATUS, hstatus),
            (n::MEDELEG, medeleg), (n::HEDELEG, hedeleg), (n::MSTATUS, mstatus),
            (n::STVEC, RAM_BASE), (n::MTVEC, RAM_BASE), (n::VSTVEC, GVA_CODE),
        ] {
            set(&mut h, c, v);
        }
        let mode = MODES[m];
        h.set_mode(mode);
        h.set_pc(if mode.virt { GVA_CODE } else { RAM_BASE });
        for _ in 0..4 {
            let _ = h.run(&mut bus, 200);
        }
    }

    /// Any CSR number, any operation, from any mode.
    #[test]
    fn random_csr_access(csr in 0u16..0x1000, op in 0u8..4, v in any::<u64>(), m in 0usize..5) {
        let mut h = hart(HartConfig::default());
        let op = match op {
            0 => CsrAccess::Read,
            1 => CsrAccess::Write(v),
            2 => CsrAccess::Set(v),
            _ => CsrAccess::Clear(v),
        };
        let _ = h.csr_access(MODES[m], csr, op);
        let _ = h.csr(csr);
        let _ = h.set_csr(csr, v);
    }

    /// HLV/HLVX/HSV at any address with any translation state.
    #[test]
    fn random_hyp_access(va in any::<u64>(), w in 0usize..4, hlvx in any::<bool>(),
                         hstatus in any::<u64>(), vsatp_mode in any::<bool>()) {
        let mut bus = bus();
        let (hgatp, vsatp) = two_stage(&mut bus);
        let mut h = hart(HartConfig { hs_host: true, ..HartConfig::default() });
        set(&mut h, n::HGATP, hgatp);
        if vsatp_mode {
            set(&mut h, n::VSATP, vsatp);
        }
        set(&mut h, n::HSTATUS, hstatus);
        h.set_mode(Mode::HS);
        let width = AccessWidth::ALL[w];
        let _ = h.hyp_load(&mut bus, va, width, true, hlvx);
        let _ = h.hyp_store(&mut bus, va, width, va);
    }
}
