//! Helpers shared by the Machine tests: exit builders and a tiny FDT reader written from
//! the Devicetree Specification v0.4, chapter 5 ("Flattened Devicetree (DTB) Format"),
//! independent of the writer crate.

#![allow(dead_code)]

use hvsim::machine::mock::MockBackend;
use hvsim::machine::{GuestImage, Machine, MachineBuilder};
use sim_core::{AccessWidth, GuestPhysAddr};
use vcpu::ExitReason;

pub const UART: u64 = 0x1000_0000;
pub const FINISHER: u64 = 0x10_0000;

pub fn write(addr: u64, width: AccessWidth, data: u64) -> ExitReason {
    ExitReason::MmioWrite {
        addr: GuestPhysAddr::new(addr),
        width,
        data,
    }
}

pub fn read(addr: u64, width: AccessWidth, reg: usize, signed_ext: bool) -> ExitReason {
    ExitReason::MmioRead {
        addr: GuestPhysAddr::new(addr),
        width,
        reg,
        reg_width: AccessWidth::Qword,
        signed_ext,
    }
}

pub fn pass() -> ExitReason {
    write(FINISHER, AccessWidth::Dword, 0x5555)
}

pub fn hypercall(nr: u64, a0: u64) -> ExitReason {
    ExitReason::Hypercall {
        nr,
        args: [a0, 0, 0, 0, 0, 0],
    }
}

/// A small raw image (one `wfi`), so builds need no file.
pub fn tiny_raw() -> GuestImage {
    GuestImage::Raw {
        bytes: vec![0x73, 0x00, 0x50, 0x10],
        load_addr: None,
    }
}

/// A builder for `backend` with a small RAM, the tiny raw image, and a budget so that a
/// wrong expectation ends a test instead of hanging it.
pub fn builder(backend: MockBackend) -> MachineBuilder<MockBackend> {
    MachineBuilder::new(backend)
        .ram_size(16 << 20)
        .budget(10_000_000)
        .image(tiny_raw())
}

/// Runs a single vCPU playing `exits`.
pub fn run_script(exits: Vec<ExitReason>) -> Machine<MockBackend> {
    let mut m = builder(MockBackend::new(1).script(0, exits))
        .build()
        .unwrap();
    m.run();
    m
}

/// A property value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prop {
    pub name: String,
    pub value: Vec<u8>,
}

impl Prop {
    pub fn u32(&self) -> u32 {
        u32::from_be_bytes(self.value[..4].try_into().unwrap())
    }
    pub fn u32s(&self) -> Vec<u32> {
        self.value
            .chunks(4)
            .map(|c| u32::from_be_bytes(c.try_into().unwrap()))
            .collect()
    }
    pub fn u64s(&self) -> Vec<u64> {
        self.value
            .chunks(8)
            .map(|c| u64::from_be_bytes(c.try_into().unwrap()))
            .collect()
    }
    pub fn strings(&self) -> Vec<String> {
        let v = self.value.strip_suffix(&[0]).expect("NUL-terminated");
        v.split(|b| *b == 0)
            .map(|s| String::from_utf8(s.to_vec()).unwrap())
            .collect()
    }
    pub fn str(&self) -> String {
        let s = self.strings();
        assert_eq!(s.len(), 1, "{}: one string", self.name);
        s[0].clone()
    }
}

/// A node with its full path.
#[derive(Clone, Debug, Default)]
pub struct Node {
    pub path: String,
    pub props: Vec<Prop>,
}

impl Node {
    pub fn prop(&self, name: &str) -> &Prop {
        self.props
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{}: no property {name}", self.path))
    }
    pub fn has(&self, name: &str) -> bool {
        self.props.iter().any(|p| p.name == name)
    }
}

const FDT_MAGIC: u32 = 0xd00d_feed;
const FDT_BEGIN_NODE: u32 = 1;
const FDT_END_NODE: u32 = 2;
const FDT_PROP: u32 = 3;
const FDT_NOP: u32 = 4;
const FDT_END: u32 = 9;

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}

fn cstr(b: &[u8], at: usize) -> String {
    let end = b[at..].iter().position(|c| *c == 0).unwrap() + at;
    String::from_utf8(b[at..end].to_vec()).unwrap()
}

/// Parses a DTB into its nodes (depth-first order), checking the header fields it relies on.
pub fn parse_fdt(b: &[u8]) -> Vec<Node> {
    assert_eq!(be32(b, 0), FDT_MAGIC, "magic");
    assert_eq!(be32(b, 4) as usize, b.len(), "totalsize");
    let off_struct = be32(b, 8) as usize;
    let off_strings = be32(b, 12) as usize;
    assert_eq!(be32(b, 20), 17, "version");
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut at = off_struct;
    loop {
        let tok = be32(b, at);
        at += 4;
        match tok {
            FDT_BEGIN_NODE => {
                let name = cstr(b, at);
                at = (at + name.len() + 1).next_multiple_of(4);
                let path = match stack.last() {
                    None => "/".to_string(),
                    Some(&p) if nodes[p].path == "/" => format!("/{name}"),
                    Some(&p) => format!("{}/{name}", nodes[p].path),
                };
                nodes.push(Node {
                    path,
                    props: Vec::new(),
                });
                stack.push(nodes.len() - 1);
            }
            FDT_END_NODE => {
                stack.pop().expect("balanced nodes");
            }
            FDT_PROP => {
                let len = be32(b, at) as usize;
                let nameoff = be32(b, at + 4) as usize;
                let value = b[at + 8..at + 8 + len].to_vec();
                at = (at + 8 + len).next_multiple_of(4);
                let n = *stack.last().expect("property inside a node");
                nodes[n].props.push(Prop {
                    name: cstr(b, off_strings + nameoff),
                    value,
                });
            }
            FDT_NOP => {}
            FDT_END => break,
            t => panic!("bad token {t:#x} at {at:#x}"),
        }
    }
    assert!(stack.is_empty(), "unclosed nodes");
    nodes
}

pub fn node<'a>(nodes: &'a [Node], path: &str) -> &'a Node {
    nodes.iter().find(|n| n.path == path).unwrap_or_else(|| {
        panic!(
            "no node {path}; have {:?}",
            nodes.iter().map(|n| &n.path).collect::<Vec<_>>()
        )
    })
}
