// swift-tools-version:6.0
import PackageDescription
let package = Package(name: "bench-regex", dependencies: [.package(name: "Smelt", path: "../..")],
  targets: [.executableTarget(name: "bench-regex", dependencies: [.product(name: "Tokenize", package: "Smelt")])])
