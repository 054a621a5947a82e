import FuzzTargets

/// libFuzzer's per-input callback: a whole .safetensors file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    SafeTensorsHeaderTarget.run(fuzzInput(data, count))
    return 0
}

/// Hands the command line to libFuzzer (see `LibFuzzerDriver` for why
/// this program has its own `main`).
@main
enum FuzzHeader {
    static func main() {
        LibFuzzerDriver.run(fuzzOneInput)
    }
}
