import FuzzTargets

/// libFuzzer's per-input callback: any bytes as JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    JSONScannerTarget.run(fuzzInput(data, count))
    return 0
}

/// Hands the command line to libFuzzer (see `LibFuzzerDriver` for why
/// this program has its own `main`).
@main
enum FuzzJSON {
    static func main() {
        LibFuzzerDriver.run(fuzzOneInput)
    }
}
