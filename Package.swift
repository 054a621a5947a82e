// swift-tools-version:6.0
import PackageDescription

// Layers (DESIGN.md, "Layers"), in order: system libraries and two small C
// targets at the bottom (system calls Swift cannot make; the hot loops whose
// vector width is chosen at run time), then Base, Checkpoint, Compute, Tokenize,
// Merge, Model, Distill, Evolve and the `smelt` command. A target depends only on targets listed above it.
// No unsafe flags: the whole package builds for the baseline of its
// architecture, so other packages can depend on it and a binary runs on any
// CPU of that architecture; CKernels picks its AVX2 or AVX-512 loops when the CPU has them.
let package = Package(
    name: "Smelt",
    products: [
        .library(name: "Base", targets: ["Base"]),
        .library(name: "Checkpoint", targets: ["Checkpoint"]),
        .library(name: "Compute", targets: ["Compute"]),
        .library(name: "Tokenize", targets: ["Tokenize"]),
        .library(name: "Merge", targets: ["Merge"]),
        .library(name: "Model", targets: ["Model"]),
        .library(name: "Distill", targets: ["Distill"]),
        .library(name: "Evolve", targets: ["Evolve"]),
        .executable(name: "smelt", targets: ["smelt"]),
    ],
    targets: [
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CSystemShims"),
        .target(name: "CKernels"),
        .target(name: "Base", dependencies: ["CXXHash", "CLZ4", "CSystemShims"]),
        .target(name: "Checkpoint", dependencies: ["Base", "CKernels"]),
        .target(name: "Compute", dependencies: ["Base", "CKernels", "COpenBLAS"]),
        .target(name: "Tokenize", dependencies: ["Base"]),
        .target(name: "Merge", dependencies: ["Base", "Checkpoint", "Compute", "CKernels", "CYAML"]),
        .target(name: "Model", dependencies: ["Base", "Checkpoint", "Compute", "Tokenize"]),
        .target(name: "Distill", dependencies: ["Base", "Checkpoint", "Tokenize", "Model"]),
        .target(name: "Evolve", dependencies: ["Base", "Checkpoint", "Merge", "Model", "Tokenize"]),
        .executableTarget(
            name: "smelt", dependencies: [
                "Base", "Checkpoint", "Tokenize", "Merge", "Model", "Distill", "Evolve", "CSystemShims",
            ]),
        // Test support only: provokes a SIGBUS in a mapping (not a product).
        .executableTarget(name: "smelt-fault-probe", dependencies: ["Base", "Checkpoint"]),
        // Helpers the test targets share (not a product).
        .target(name: "TestSupport", dependencies: ["Base", "Checkpoint"], path: "Tests/TestSupport"),
        .testTarget(name: "BaseTests", dependencies: ["Base", "TestSupport", "CXXHash"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint", "Base", "TestSupport"]),
        .testTarget(name: "ComputeTests", dependencies: ["Compute", "CKernels"]),
        .testTarget(name: "TokenizeTests", dependencies: ["Tokenize", "Base", "Checkpoint", "TestSupport"]),
        .testTarget(name: "MergeTests", dependencies: ["Merge", "Checkpoint", "Compute", "Base", "TestSupport"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "Checkpoint", "Compute", "Base", "TestSupport"]),
        .testTarget(name: "DistillTests", dependencies: ["Distill", "Model", "Tokenize", "Checkpoint", "Base", "TestSupport"]),
        .testTarget(name: "EvolveTests", dependencies: ["Evolve", "Merge", "Model", "Tokenize", "Base", "TestSupport"]),
        .testTarget(name: "smeltTests", dependencies: ["Checkpoint", "Merge", "Base", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
