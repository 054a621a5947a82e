// swift-tools-version:6.0
import PackageDescription

// Layers (DESIGN.md): system libraries and a tiny C shim at the bottom, then
// Checkpoint, then Merge, then the `smelt` command. Lower targets never import higher ones.
let package = Package(
    name: "Smelt",
    products: [
        .library(name: "Checkpoint", targets: ["Checkpoint"]),
        .library(name: "Merge", targets: ["Merge"]),
        .executable(name: "smelt", targets: ["smelt"]),
    ],
    targets: [
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .target(name: "CSystemShims"),
        .target(
            name: "Checkpoint",
            dependencies: ["CXXHash", "CLZ4", "CSystemShims"]
        ),
        .target(
            name: "Merge",
            dependencies: ["Checkpoint", "CYAML", "CXXHash"]
        ),
        .executableTarget(name: "smelt", dependencies: ["Checkpoint", "Merge"]),
        // Test support only: provokes a SIGBUS in a mapping (not a product).
        .executableTarget(name: "smelt-fault-probe", dependencies: ["Checkpoint"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint", "CXXHash"]),
        .testTarget(name: "MergeTests", dependencies: ["Merge", "Checkpoint"]),
        .testTarget(name: "smeltTests", dependencies: ["Checkpoint"]),
    ],
    swiftLanguageModes: [.v6]
)
