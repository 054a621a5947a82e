// swift-tools-version:6.0
import PackageDescription
let package = Package(name: "bench-tokenizer", dependencies: [.package(name: "Smelt", path: "../..")],
  targets: [.executableTarget(name: "bench-tokenizer", dependencies: [.product(name: "Checkpoint", package: "Smelt")])])
