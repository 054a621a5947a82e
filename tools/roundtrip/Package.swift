// swift-tools-version:6.0
import PackageDescription

// A one-off tool, not part of Smelt: copies a model through
// `CheckpointWriter` (chunks written out of order) so that
// tools/check-transformers.sh can check the result loads in transformers.
let package = Package(
    name: "SmeltRoundtrip",
    dependencies: [
        .package(name: "Smelt", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "smelt-roundtrip",
            dependencies: [.product(name: "Base", package: "Smelt"), .product(name: "Checkpoint", package: "Smelt")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
