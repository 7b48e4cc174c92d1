// SPDX-License-Identifier: BSD-3-Clause
//! The event and reply decoders must not allocate: they run for every
//! multicast message, and an overrun of the event socket loses events for
//! good. A separate test binary, so that this counting allocator does not
//! sit under every other test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use mptcpd::wire::golden::{self, Kind};
use mptcpd::wire::{decode_endpoint, decode_event, decode_limits};

struct Counting;

thread_local! {
    // Per thread: the test harness allocates on other threads meanwhile.
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations `f` made on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = ALLOCS.with(Cell::get);
    let r = std::hint::black_box(f());
    (ALLOCS.with(Cell::get) - before, r)
}

#[test]
fn the_counter_sees_allocations() {
    let (n, v) = allocations(|| Vec::<u8>::with_capacity(16));
    assert_eq!(n, 1);
    drop(v);
}

/// Every captured event and reply, decoded successfully, without a single
/// allocation; and the same for the error paths (every truncation).
#[test]
fn decoders_do_not_allocate() {
    let vectors: Vec<(&str, Kind, Vec<u8>)> = golden::ALL
        .iter()
        .map(|(name, kind, listing, _)| (*name, *kind, golden::bytes(listing)))
        .collect();
    let mut checked_ok = 0;
    for (name, kind, bytes) in &vectors {
        match kind {
            Kind::Event => {
                let (n, r) = allocations(|| decode_event(bytes));
                assert!(matches!(r, Ok(Some(_))), "{name}: {r:?}");
                assert_eq!(n, 0, "{name}");
                checked_ok += 1;
            }
            Kind::Reply => {
                let (n, r) = allocations(|| decode_endpoint(bytes).map(|_| ()));
                let (m, s) = allocations(|| decode_limits(bytes).map(|_| ()));
                assert!(r.is_ok() || s.is_ok(), "{name}");
                assert_eq!((n, m), (0, 0), "{name}");
                checked_ok += 1;
            }
            Kind::Request => {}
        }
        for len in 0..bytes.len() {
            let b = &bytes[..len];
            let (n, _) = allocations(|| {
                (
                    decode_event(b).is_ok(),
                    decode_endpoint(b).is_ok(),
                    decode_limits(b).is_ok(),
                )
            });
            assert_eq!(n, 0, "{name} cut at {len}");
        }
    }
    assert!(checked_ok >= 20, "only {checked_ok} vectors");
}
