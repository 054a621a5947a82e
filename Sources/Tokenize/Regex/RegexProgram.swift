/// A compiled pattern in flat buffers the matcher reads through pointers: instructions, per set six words of bits
/// (membership of U+0000–U+00FF, then which `ScalarClass` property bytes belong), set ranges above U+00FF, and the
/// start of each top-level alternative with the table of which alternatives can start with a given scalar.
// The buffers are written once in init and only read afterwards, so sharing across threads is safe.
final class RegexProgram: @unchecked Sendable {
    let instructions: UnsafeMutableBufferPointer<RegexInstruction>
    let setBits: UnsafeMutableBufferPointer<UInt64>
    let setInfo: UnsafeMutableBufferPointer<SetInfo>
    let ranges: UnsafeMutableBufferPointer<UInt32>
    let alternativeStarts: UnsafeMutableBufferPointer<Int>
    /// For U+0000–U+00FF, bit i set: alternative i can start with that scalar.
    let startsByLatinScalar: UnsafeMutableBufferPointer<UInt64>
    /// For other scalars, by property byte (alternatives with explicit ranges there are in `startsAnywhere`).
    let startsByProperty: UnsafeMutableBufferPointer<UInt64>
    /// Alternatives to try at every position (they can match empty or start with an assertion).
    let startsAnywhere: UInt64
    /// How many position slots the machine needs (see `RegexOpcode.mark`).
    let slotCount: Int

    init(compiler: RegexCompiler, alternativeStarts: [Int], dispatch: StartDispatch) {
        instructions = Self.copy(compiler.instructions)
        setBits = Self.copy(compiler.setBits)
        setInfo = Self.copy(compiler.setInfo)
        ranges = Self.copy(compiler.ranges)
        self.alternativeStarts = Self.copy(alternativeStarts)
        startsByLatinScalar = Self.copy(dispatch.byLatinScalar)
        startsByProperty = Self.copy(dispatch.byProperty)
        startsAnywhere = dispatch.anywhere
        slotCount = compiler.slotCount
    }

    deinit {
        instructions.deallocate()
        setBits.deallocate()
        setInfo.deallocate()
        ranges.deallocate()
        alternativeStarts.deallocate()
        startsByLatinScalar.deallocate()
        startsByProperty.deallocate()
    }

    private static func copy<Element>(_ array: [Element]) -> UnsafeMutableBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: max(array.count, 1))
        _ = buffer.initialize(from: array)
        return buffer
    }
}
