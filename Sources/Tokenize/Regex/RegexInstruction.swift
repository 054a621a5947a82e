/// One step of a compiled pattern (a backtracking program in the manner of Thompson and Spencer; see Russ Cox,
/// "Regular Expression Matching: the Virtual Machine Approach", 2009).
struct RegexInstruction: Sendable {
    var opcode: RegexOpcode
    /// The `RepetitionMode` of a run, the `RegexAssertion` of an assertion, the `LookKind` of a look.
    var mode: UInt8 = 0
    var a: Int32 = 0
    var b: Int32 = 0
    var c: Int32 = 0
}

enum RegexOpcode: UInt8, Sendable {
    /// Match the scalar `a`.
    case scalar
    /// Match one scalar of set `a`.
    case set
    /// Match `b` to `c` scalars of set `a` (`c` is `Int32.max` when unbounded), the way `mode` says.
    case run
    /// Go on at the next instruction; on failure, at `a`.
    case split
    /// Go on at `a`; on failure, at the next instruction (a lazy loop).
    case splitLazy
    /// Go on at `a`.
    case jump
    /// Check the zero-width assertion `mode`.
    case assert
    /// Run the sub-program that follows as `mode` (a `LookKind`) says, then go on at `a`.
    case look
    /// The end of the program or of a sub-program: matched.
    case succeed
    /// Remember the position in slot `a` (an iteration of a loop whose body can match empty starts here).
    case mark
    /// If the position is still the one in slot `a`, the iteration matched empty: leave the loop for `b`, as
    /// Oniguruma's empty check does, instead of looping forever.
    case progress
}

/// What a `look` instruction does with its sub-program's result.
enum LookKind: UInt8, Sendable {
    /// `(?= )`: must match; the position stays.
    case ahead
    /// `(?! )`: must not match.
    case negativeAhead
    /// `(?> )` and possessive repeats: the first match is kept and not backtracked into.
    case atomic
}

/// Where a compiled set's explicit ranges above U+00FF lie in `RegexProgram.ranges`, and whether it is negated.
struct SetInfo: Sendable {
    var isNegated: Bool
    var rangeStart: Int32
    var rangeEnd: Int32
}
