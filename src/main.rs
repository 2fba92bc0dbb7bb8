//! The `slant` binary: parses arguments and calls the library.

mod cli;

// The text stage allocates many small strings on every core; glibc's
// allocator serialises them (measured: see README, Benchmarks).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // mimalloc asks for transparent huge pages. Most of slant's heap is
    // touched once (a rerun reads 100k cached records and lets them go), so
    // each 2 MiB page costs its zeroing, and a fault can stall on memory
    // compaction, for no gain: measured in README, Benchmarks.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    cli::main()
}
