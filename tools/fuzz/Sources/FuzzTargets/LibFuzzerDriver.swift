import CLibFuzzer
#if canImport(Glibc)
import Glibc
#endif

/// The signature libFuzzer calls once per input: the bytes and their count.
public typealias FuzzTargetFunction = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Starts libFuzzer from a Swift `main`.
///
/// Why not libFuzzer's own `main`: a SwiftPM executable always brings its
/// `main` (SwiftPM links it in over everything else), so with a plain
/// `-sanitize=fuzzer` build libFuzzer's `main` is never called and the
/// program exits having run no input. Each target's `@main` calls this
/// instead, which hands the command line to `LLVMFuzzerRunDriver`.
public enum LibFuzzerDriver {
    /// Runs libFuzzer with this process's arguments (libFuzzer flags, corpus
    /// folders or input files) and exits with its status.
    public static func run(_ target: FuzzTargetFunction) -> Never {
        var argumentCount = CommandLine.argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argumentCount, &arguments, target)
        exit(status)
    }
}

/// The bytes libFuzzer hands to a target, as a buffer (empty for no input).
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: count == 0 ? nil : data, count: count)
}
