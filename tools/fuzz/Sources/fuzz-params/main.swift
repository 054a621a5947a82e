import FuzzTargets

/// libFuzzer's per-input callback: the choices that make a recipe.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    RecipeParameterTarget.run(fuzzInput(data, count))
    return 0
}

// Hands the command line to libFuzzer (see `LibFuzzerDriver` for why this
// program has its own `main`).
LibFuzzerDriver.run(fuzzOneInput)
