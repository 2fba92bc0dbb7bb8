//! The `slant` binary: parses arguments and calls the library.

mod cli;

// The text stage allocates many small strings on every core; glibc's
// allocator serialises them (measured: see README, Benchmarks).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
