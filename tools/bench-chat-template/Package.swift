// swift-tools-version:6.0
import PackageDescription
let package = Package(name: "bench-chat-template", dependencies: [.package(name: "Smelt", path: "../..")],
  targets: [.executableTarget(name: "bench-chat-template", dependencies: [.product(name: "Tokenize", package: "Smelt")])])
