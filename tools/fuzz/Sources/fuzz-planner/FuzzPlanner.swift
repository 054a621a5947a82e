import FuzzTargets

/// libFuzzer's per-input callback: a recipe and its models (PlannerInput).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    PlannerTarget.run(fuzzInput(data, count))
    return 0
}

/// Hands the command line to libFuzzer (see `LibFuzzerDriver` for why
/// this program has its own `main`).
@main
enum FuzzPlanner {
    static func main() {
        LibFuzzerDriver.run(fuzzOneInput)
    }
}
