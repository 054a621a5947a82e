/// The parts both payload kinds code alike: the loss mask as runs, the
/// first token, each position's log-sum-exp as a delta from the previous
/// one, and a gold token missing from the position's list.
enum RecordPreamble {
    /// Loss mask: the first flag as a raw bit, then the length − 1 of each
    /// run of equal flags in `context`.
    static func writeMask(_ mask: [Bool], context: Int, to stream: inout SymbolStreamWriter) {
        guard let first = mask.first else { return }
        stream.bits(first ? 1 : 0, count: 1)
        var runStart = 0
        for index in 1...mask.count where index == mask.count || mask[index] != mask[runStart] {
            stream.value(UInt32(index - runStart - 1), context: context)
            runStart = index
        }
    }

    /// Reads `count` flags written by `writeMask`.
    static func readMask(
        count: Int, context: Int, from stream: inout SymbolStreamReader
    ) throws(LogitCacheError) -> [Bool] {
        guard count > 0 else { return [] }
        var flag = try stream.rawBits(1, field: "loss mask") == 1
        var mask: [Bool] = []
        mask.reserveCapacity(count)
        while mask.count < count {
            let run = try stream.value(context: context, field: "loss mask")
            guard run < count - mask.count else {
                throw .malformed(field: "loss mask", problem: "a run past the record's \(count) positions")
            }
            mask.append(contentsOf: repeatElement(flag, count: Int(run) + 1))
            flag.toggle()
        }
        return mask
    }

    /// The zigzag delta of one log-sum-exp from the previous one.
    static func logSumExpDelta(_ steps: Int32, previous: Int32) -> UInt32 {
        ValueBucket.zigzag(steps &- previous)  // checked: both within ±2^24
    }

    /// A log-sum-exp from its coded delta, or an error beyond ±2^24 steps.
    @inline(__always)
    static func logSumExp(delta: UInt32, previous: Int32, position: Int) throws(LogitCacheError) -> Int32 {
        let steps = Int64(previous) + Int64(ValueBucket.unzigzag(delta))
        guard abs(steps) <= Int64(Quantisation.maximumSteps) else {
            throw .malformed(field: "log-sum-exp \(position)", problem: "beyond ±\(Quantisation.maximumSteps) steps")
        }
        return Int32(steps)  // checked: within ±2^24
    }

    /// Steps below 0 of a log-probability coded as a zigzag delta from
    /// `reference` steps (a gold value, or a sampled entry after the first).
    @inline(__always)
    static func steps(delta: UInt32, reference: UInt32, position: Int) throws(LogitCacheError) -> UInt32 {
        let steps = Int64(reference) + Int64(ValueBucket.unzigzag(delta))
        guard steps >= 0, steps <= Int64(Quantisation.maximumSteps) else {
            throw .malformed(field: "log-probability at position \(position)", problem: "outside 0 ... −32768")
        }
        return UInt32(steps)  // checked: within 0...2^24
    }
}
