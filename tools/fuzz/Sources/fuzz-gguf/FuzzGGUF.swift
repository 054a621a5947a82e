import FuzzTargets

/// libFuzzer's per-input callback: a whole .gguf file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    GGUFTarget.run(fuzzInput(data, count))
    return 0
}

/// Hands the command line to libFuzzer (see `LibFuzzerDriver` for why
/// this program has its own `main`).
@main
enum FuzzGGUF {
    static func main() {
        LibFuzzerDriver.run(fuzzOneInput)
    }
}
