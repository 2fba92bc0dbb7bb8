//! Bakes the libtorch folders into the binary's run path, so `slant` runs
//! without LD_LIBRARY_PATH. `--disable-new-dtags` writes DT_RPATH rather than
//! DT_RUNPATH: RPATH also applies to libtorch's own dependencies (libcudart,
//! libcupti), which RUNPATH would not.
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_MODEL").is_none() {
        return;
    }
    let Some(torch) = std::env::var_os("LIBTORCH").map(PathBuf::from) else {
        return;
    };
    let site = torch.parent().map(PathBuf::from).unwrap_or_default();
    let dirs = [
        torch.join("lib"),
        site.join("nvidia/cuda_runtime/lib"),
        site.join("nvidia/cuda_cupti/lib"),
    ];
    println!("cargo:rustc-link-arg=-Wl,--disable-new-dtags");
    for dir in dirs {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    }
}
