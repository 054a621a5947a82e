// swift-tools-version:6.0
import PackageDescription
let package = Package(name: "bench-logit-codec", dependencies: [.package(name: "Smelt", path: "../..")],
  targets: [.executableTarget(name: "bench-logit-codec", dependencies: [.product(name: "Distill", package: "Smelt"), .product(name: "Model", package: "Smelt"), .product(name: "Base", package: "Smelt")])])
