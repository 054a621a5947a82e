/// Runs a `RegexProgram` over a text by backtracking, trying alternatives in pattern order as Oniguruma does
/// (leftmost-first). One machine serves a whole search: its stack is reused from match to match.
struct RegexMachine: ~Copyable {
    /// A saved choice: resume at `pc` and `position`, or, for a run, give back or take one more scalar.
    struct Frame {
        var kind: Int
        var pc: Int
        var position: Int
        /// A greedy run's shortest end, or a lazy run's longest.
        var bound: Int
    }

    static let resume = 0, greedyRun = 1, lazyRun = 2, restoreSlot = 3

    let text: UnsafeBufferPointer<Unicode.Scalar>
    let program: UnsafeMutableBufferPointer<RegexInstruction>
    let setBits: UnsafeMutableBufferPointer<UInt64>
    let setInfo: UnsafeMutableBufferPointer<SetInfo>
    let ranges: UnsafeMutableBufferPointer<UInt32>
    let blockOf: UnsafeMutableBufferPointer<UInt16>
    let blocks: UnsafeMutableBufferPointer<UInt8>
    var stack: UnsafeMutablePointer<Frame>
    /// The positions `mark` remembers; a saved `restoreSlot` frame puts the old value back on backtracking.
    let slots: UnsafeMutablePointer<Int>
    var capacity = 64
    var top = 0

    init(program compiled: RegexProgram, text: UnsafeBufferPointer<Unicode.Scalar>) {
        self.text = text
        program = compiled.instructions
        setBits = compiled.setBits
        setInfo = compiled.setInfo
        ranges = compiled.ranges
        blockOf = ScalarClass.table.blockOf
        blocks = ScalarClass.table.blocks
        stack = .allocate(capacity: capacity)
        slots = .allocate(capacity: Swift.max(compiled.slotCount, 1))
        slots.initialize(repeating: -1, count: Swift.max(compiled.slotCount, 1))
    }

    deinit {
        stack.deallocate()
        slots.deallocate()
    }

    /// The property byte of a scalar (see `ScalarClass`).
    @inline(__always) func properties(_ value: UInt32) -> UInt8 {
        blocks[Int(blockOf[Int(value >> 8)]) &<< 8 | Int(value & 0xFF)]
    }

    /// Whether set `set` contains the scalar `value`.
    @inline(__always) func contains(_ set: Int, _ value: UInt32) -> Bool {
        if value < 256 { return setBits[set &* 6 &+ Int(value >> 6)] >> UInt64(value & 63) & 1 != 0 }
        let byte = properties(value)
        var isListed = setBits[set &* 6 &+ 4 &+ Int(byte >> 6)] >> UInt64(byte & 63) & 1 != 0
        let info = setInfo[set]
        if !isListed && info.rangeStart < info.rangeEnd {
            var index = Int(info.rangeStart)
            while index < Int(info.rangeEnd) {
                if value < ranges[index] { break }
                if value <= ranges[index &+ 1] {
                    isListed = true
                    break
                }
                index &+= 2
            }
        }
        return isListed != info.isNegated
    }

    @inline(__always) mutating func push(_ kind: Int, _ pc: Int, _ position: Int, _ bound: Int) {
        if top == capacity {
            let larger = UnsafeMutablePointer<Frame>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: stack, count: top)
            stack.deallocate()
            stack = larger
            capacity *= 2
        }
        stack[top] = Frame(kind: kind, pc: pc, position: position, bound: bound)
        top &+= 1
    }

    /// Runs the (sub-)program at `start` from `position`; the end of the first match in priority order, or -1.
    mutating func execute(_ start: Int, at position: Int) -> Int {
        let base = top
        let count = text.count
        var pc = start
        var position = position
        while true {
            let instruction = program[pc]
            var matched = true
            switch instruction.opcode {
            case .scalar:
                if position < count && text[position].value == UInt32(bitPattern: instruction.a) {
                    position &+= 1
                    pc &+= 1
                } else {
                    matched = false
                }
            case .set:
                if position < count && contains(Int(instruction.a), text[position].value) {
                    position &+= 1
                    pc &+= 1
                } else {
                    matched = false
                }
            case .run:
                matched = run(instruction, pc: pc, position: &position)
                pc &+= 1
            case .split:
                push(Self.resume, Int(instruction.a), position, 0)
                pc &+= 1
            case .splitLazy:
                push(Self.resume, pc &+ 1, position, 0)
                pc = Int(instruction.a)
            case .jump:
                pc = Int(instruction.a)
            case .assert:
                matched = holds(instruction.mode, at: position)
                pc &+= 1
            case .look:
                let end = execute(pc &+ 1, at: position)
                switch instruction.mode {
                case LookKind.ahead.rawValue: matched = end >= 0
                case LookKind.negativeAhead.rawValue: matched = end < 0
                default:
                    matched = end >= 0
                    if matched { position = end }
                }
                pc = Int(instruction.a)
            case .succeed:
                top = base
                return position
            case .mark:
                push(Self.restoreSlot, Int(instruction.a), slots[Int(instruction.a)], 0)
                slots[Int(instruction.a)] = position
                pc &+= 1
            case .progress:
                pc = slots[Int(instruction.a)] == position ? Int(instruction.b) : pc &+ 1
            }
            if matched { continue }
            guard backtrack(to: base, pc: &pc, position: &position) else { return -1 }
        }
    }

    /// A run of one set: greedy and possessive take all they can (greedy saving the choice to give back), lazy
    /// takes the minimum and saves the choice to take more.
    @inline(__always) mutating func run(_ instruction: RegexInstruction, pc: Int, position: inout Int) -> Bool {
        let set = Int(instruction.a)
        let minimum = Int(instruction.b)
        let remaining = text.count &- position
        let limit = Int(instruction.c) >= remaining ? text.count : position &+ Int(instruction.c)
        var end = position
        if instruction.mode == RepetitionMode.lazy.rawValue {
            let needed = position &+ minimum
            guard needed <= limit else { return false }
            while end < needed && contains(set, text[end].value) { end &+= 1 }
            guard end == needed else { return false }
            if end < limit { push(Self.lazyRun, pc, end, limit) }
        } else {
            while end < limit && contains(set, text[end].value) { end &+= 1 }
            guard end &- position >= minimum else { return false }
            if instruction.mode == RepetitionMode.greedy.rawValue && end > position &+ minimum {
                push(Self.greedyRun, pc, end, position &+ minimum)
            }
        }
        position = end
        return true
    }

    /// Pops saved choices down to `base` until one gives a new state; false when none is left.
    @inline(__always) mutating func backtrack(to base: Int, pc: inout Int, position: inout Int) -> Bool {
        while top > base {
            top &-= 1
            let frame = stack[top]
            switch frame.kind {
            case Self.resume:
                pc = frame.pc
                position = frame.position
                return true
            case Self.greedyRun:
                let end = frame.position &- 1
                if end > frame.bound {
                    stack[top].position = end
                    top &+= 1
                }
                pc = frame.pc &+ 1
                position = end
                return true
            case Self.restoreSlot:
                slots[frame.pc] = frame.position
            default:
                let end = frame.position
                guard contains(Int(program[frame.pc].a), text[end].value) else { continue }
                if end &+ 1 < frame.bound {
                    stack[top].position = end &+ 1
                    top &+= 1
                }
                pc = frame.pc &+ 1
                position = end &+ 1
                return true
            }
        }
        return false
    }

    /// Whether the assertion `kind` (a `RegexAssertion`) holds at `position`.
    func holds(_ kind: UInt8, at position: Int) -> Bool {
        let count = text.count
        switch RegexAssertion(rawValue: kind) {
        case .lineStart: return position == 0 || text[position - 1] == "\n"
        case .lineEnd: return position == count || text[position] == "\n"
        case .textStart: return position == 0
        case .textEnd: return position == count
        case .textEndBeforeNewline: return position == count || (position == count - 1 && text[position] == "\n")
        case .wordBoundary: return isWord(position - 1) != isWord(position)
        case .notWordBoundary: return isWord(position - 1) == isWord(position)
        case nil: return false
        }
    }

    private func isWord(_ position: Int) -> Bool {
        position >= 0 && position < text.count && ScalarClass.isWordCharacter(text[position])
    }
}
