// swift-tools-version:6.0
import Foundation
import PackageDescription

// The hot loops (dtype conversion, merge kernels, selection) are plain Swift
// that the compiler vectorises. On the x86-64 baseline (SSE2) that costs 2
// to 5 times the CPU time of the same loops with AVX2 and FMA, so on a host
// whose CPU has all of x86-64-v3 the two computing targets are built for
// it (Haswell, 2013, and later), like the rest of the build's output for
// this machine. The bytes Smelt writes are the same either way (IEEE
// arithmetic, no fast-math, no contraction); `smelt` refuses to start on a
// CPU without them rather than crash. SMELT_PORTABLE=1 builds for the
// baseline, for a binary meant for other machines.
let buildsForHostX86_64_V3: Bool = {
    #if arch(x86_64) && os(Linux)
    guard ProcessInfo.processInfo.environment["SMELT_PORTABLE"] == nil,
          let cpuInfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flagLine = cpuInfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    let flags = Set(flagLine.split(separator: " ").map(String.init))
    return ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "popcnt", "sse4_2", "xsave"].allSatisfy(flags.contains)
    #else
    return false
    #endif
}()
let computeSettings: [SwiftSetting] = buildsForHostX86_64_V3 ? [.unsafeFlags(["-target-cpu", "haswell"])] : []
let commandSettings: [SwiftSetting] = buildsForHostX86_64_V3 ? [.define("SMELT_REQUIRES_X86_64_V3")] : []

// Layers (DESIGN.md, "Layers"), in order: system libraries and a tiny C shim
// at the bottom, then Base, Checkpoint, Compute, Merge and the `smelt`
// command. A target depends only on targets listed above it.
let package = Package(
    name: "Smelt",
    products: [
        .library(name: "Base", targets: ["Base"]),
        .library(name: "Checkpoint", targets: ["Checkpoint"]),
        .library(name: "Compute", targets: ["Compute"]),
        .library(name: "Merge", targets: ["Merge"]),
        .executable(name: "smelt", targets: ["smelt"]),
    ],
    targets: [
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .target(name: "CSystemShims"),
        .target(name: "Base", dependencies: ["CXXHash", "CLZ4", "CSystemShims"], swiftSettings: computeSettings),
        .target(name: "Checkpoint", dependencies: ["Base"], swiftSettings: computeSettings),
        .target(name: "Compute", dependencies: ["Base"], swiftSettings: computeSettings),
        .target(name: "Merge", dependencies: ["Base", "Checkpoint", "Compute", "CYAML"], swiftSettings: computeSettings),
        // Built for the baseline, so its first line can check the CPU.
        .executableTarget(
            name: "smelt", dependencies: ["Base", "Checkpoint", "Merge", "CSystemShims"], swiftSettings: commandSettings),
        // Test support only: provokes a SIGBUS in a mapping (not a product).
        .executableTarget(name: "smelt-fault-probe", dependencies: ["Base", "Checkpoint"]),
        // Helpers the test targets share (not a product).
        .target(name: "TestSupport", dependencies: ["Base"], path: "Tests/TestSupport"),
        .testTarget(name: "BaseTests", dependencies: ["Base", "TestSupport", "CXXHash"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint", "Base", "TestSupport"]),
        .testTarget(name: "ComputeTests", dependencies: ["Compute"]),
        .testTarget(name: "MergeTests", dependencies: ["Merge", "Checkpoint", "Compute", "Base"]),
        .testTarget(name: "smeltTests", dependencies: ["Checkpoint", "Merge", "Base"]),
    ],
    swiftLanguageModes: [.v6]
)
