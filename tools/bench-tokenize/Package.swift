// swift-tools-version:6.0
import PackageDescription
let package = Package(name: "bench-tokenize", dependencies: [.package(name: "Smelt", path: "../..")],
  targets: [.executableTarget(name: "bench-tokenize", dependencies: [.product(name: "Tokenize", package: "Smelt"), .product(name: "Base", package: "Smelt")])])
