// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses for Smelt's readers of untrusted files. A package of
// its own so the root package's `swift build` never sees the fuzzer flags;
// build and run it with `tools/fuzz/run.sh` (README.md, "Fuzzing").
// Each executable is one fuzz target; FuzzTargets holds what they check.
let package = Package(
    name: "SmeltFuzz",
    dependencies: [
        // Named so the dependency reads the same whatever the clone is called.
        .package(name: "Smelt", path: "../.."),
    ],
    targets: [
        // Declares LLVMFuzzerRunDriver, which `-sanitize=fuzzer` links in.
        .systemLibrary(name: "CLibFuzzer"),
        .target(
            name: "FuzzTargets",
            dependencies: [
                "CLibFuzzer",
                .product(name: "Base", package: "Smelt"),
                .product(name: "Checkpoint", package: "Smelt"),
                .product(name: "Merge", package: "Smelt"),
            ]
        ),
        .executableTarget(name: "fuzz-header", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "fuzz-index", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "fuzz-manifest", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "fuzz-json", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "fuzz-planner", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "fuzz-params", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "fuzz-gguf", dependencies: ["FuzzTargets"]),
    ],
    swiftLanguageModes: [.v6]
)
