// swift-tools-version:6.0
import PackageDescription
let package = Package(name: "bench-sgemm", dependencies: [.package(name: "Smelt", path: "../..")],
  targets: [.executableTarget(name: "bench-sgemm", dependencies: [.product(name: "Compute", package: "Smelt")])])
