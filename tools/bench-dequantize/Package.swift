// swift-tools-version:6.0
import PackageDescription
let package = Package(name: "bench-dequantize", dependencies: [.package(name: "Smelt", path: "../..")],
  targets: [.executableTarget(name: "bench-dequantize", dependencies: [.product(name: "Base", package: "Smelt"), .product(name: "Checkpoint", package: "Smelt")])])
