/// Turns `RegexNode`s into `RegexInstruction`s and their sets into the bit tables the matcher reads.
struct RegexCompiler {
    var instructions: [RegexInstruction] = []
    var setBits: [UInt64] = []
    var setInfo: [SetInfo] = []
    var ranges: [UInt32] = []
    /// Position slots of loops whose body can match empty.
    var slotCount = 0
    private var compiledSets: [ScalarSet] = []

    /// Counted repeats are compiled by copying their body; this bounds the copies.
    static let maxInstructions = 200_000

    /// Appends `node`, then `succeed`: one top-level alternative.
    mutating func compileAlternative(_ node: RegexNode) throws(TokenPatternError) {
        try emit(node)
        instructions.append(RegexInstruction(opcode: .succeed))
    }

    /// Makes greedy runs that lead straight to `succeed` possessive: nothing after them can fail, so the choice to
    /// give back scalars would never be used, and saving it for every match costs time.
    mutating func dropUnusedChoices() {
        for index in instructions.indices where instructions[index].opcode == .run {
            guard instructions[index].mode == RepetitionMode.greedy.rawValue else { continue }
            var next = index + 1
            while instructions[next].opcode == .jump { next = Int(instructions[next].a) }
            if instructions[next].opcode == .succeed { instructions[index].mode = RepetitionMode.possessive.rawValue }
        }
    }

    mutating func emit(_ node: RegexNode) throws(TokenPatternError) {
        guard instructions.count <= Self.maxInstructions else {
            throw TokenPatternError(offset: 0, problem: "pattern too large once counted repeats are expanded")
        }
        switch node {
        case .empty: break
        case .set(let set):
            if let scalar = set.singleScalar {
                instructions.append(RegexInstruction(opcode: .scalar, a: Int32(bitPattern: scalar)))
            } else {
                instructions.append(RegexInstruction(opcode: .set, a: setIndex(set)))
            }
        case .sequence(let items):
            for item in items { try emit(item) }
        case .alternation(let items):
            var jumpsToEnd: [Int] = []
            for (index, item) in items.enumerated() {
                let split = instructions.count
                let isLast = index == items.count - 1
                if !isLast { instructions.append(RegexInstruction(opcode: .split)) }
                try emit(item)
                if !isLast {
                    jumpsToEnd.append(instructions.count)
                    instructions.append(RegexInstruction(opcode: .jump))
                    instructions[split].a = Int32(instructions.count)
                }
            }
            for jump in jumpsToEnd { instructions[jump].a = Int32(instructions.count) }
        case .repetition(let body, let min, let max, let mode):
            try emitRepetition(body, min: min, max: max, mode: mode)
        case .lookahead(let body, let isNegated):
            try emitLook(body, kind: isNegated ? .negativeAhead : .ahead)
        case .atomic(let body):
            try emitLook(body, kind: .atomic)
        case .assertion(let assertion):
            instructions.append(RegexInstruction(opcode: .assert, mode: assertion.rawValue))
        }
    }

    private mutating func emitLook(_ body: RegexNode, kind: LookKind) throws(TokenPatternError) {
        let look = instructions.count
        instructions.append(RegexInstruction(opcode: .look, mode: kind.rawValue))
        try emit(body)
        instructions.append(RegexInstruction(opcode: .succeed))
        instructions[look].a = Int32(instructions.count)
    }

    private mutating func emitRepetition(
        _ body: RegexNode, min: Int, max: Int?, mode: RepetitionMode
    )
        throws(TokenPatternError)
    {
        if case .set(let set) = body {
            let run = RegexInstruction(
                opcode: .run, mode: mode.rawValue, a: setIndex(set), b: Int32(min), c: Int32(max ?? Int(Int32.max)))
            instructions.append(run)
            return
        }
        if mode == .possessive {
            try emitLook(.repetition(body, min: min, max: max, mode: .greedy), kind: .atomic)
            return
        }
        for _ in 0..<min { try emit(body) }
        let splitOpcode: RegexOpcode = mode == .lazy ? .splitLazy : .split
        // A split's `a` is the exit: `split` tries the body first, `splitLazy` the exit.
        guard let max else {
            // loop: split(exit); [mark]; body; [progress]; jump loop
            let loop = instructions.count
            instructions.append(RegexInstruction(opcode: splitOpcode))
            let slot = Int32(slotCount)
            if body.isNullable {
                slotCount += 1
                instructions.append(RegexInstruction(opcode: .mark, a: slot))
            }
            try emit(body)
            let progress = instructions.count
            if body.isNullable { instructions.append(RegexInstruction(opcode: .progress, a: slot)) }
            instructions.append(RegexInstruction(opcode: .jump, a: Int32(loop)))
            if body.isNullable { instructions[progress].b = Int32(instructions.count) }
            instructions[loop].a = Int32(instructions.count)
            return
        }
        var splits: [Int] = []
        for _ in min..<max {
            splits.append(instructions.count)
            instructions.append(RegexInstruction(opcode: splitOpcode))
            try emit(body)
        }
        for split in splits { instructions[split].a = Int32(instructions.count) }
    }

    /// The index of `set` among the compiled sets, compiling it on first use.
    mutating func setIndex(_ set: ScalarSet) -> Int32 {
        if let known = compiledSets.firstIndex(of: set) { return Int32(known) }
        compiledSets.append(set)
        var latin = [UInt64](repeating: 0, count: 4)
        for value in UInt32(0)..<256 where set.contains(value, properties: ScalarClass.table.properties(of: value)) {
            latin[Int(value >> 6)] |= 1 << UInt64(value & 63)
        }
        setBits += latin + [set.propertyBitsLow, set.propertyBitsHigh]
        let start = Int32(ranges.count)
        for range in set.normalizedRanges where range.upperBound >= 256 {
            ranges += [Swift.max(range.lowerBound, 256), range.upperBound]
        }
        setInfo.append(SetInfo(isNegated: set.isNegated, rangeStart: start, rangeEnd: Int32(ranges.count)))
        return Int32(compiledSets.count - 1)
    }
}
