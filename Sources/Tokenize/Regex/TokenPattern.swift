/// A compiled split pattern of a Hugging Face `tokenizer.json` (Oniguruma syntax), matched without a C regex library
/// and with the same results as the `tokenizers` library.
public struct TokenPattern: Sendable {
    /// The pattern as written.
    public let source: String
    let program: RegexProgram

    /// Compiles `pattern`; unsupported or malformed syntax throws with its offset.
    public init(_ pattern: String) throws(TokenPatternError) {
        var parser = RegexParser(pattern)
        let root = try parser.parse()
        var alternatives = [root]
        if case .alternation(let items) = root, items.count <= 64 { alternatives = items }
        var compiler = RegexCompiler()
        var starts: [Int] = []
        for alternative in alternatives {
            starts.append(compiler.instructions.count)
            try compiler.compileAlternative(alternative)
        }
        compiler.dropUnusedChoices()
        source = pattern
        program = RegexProgram(
            compiler: compiler, alternativeStarts: starts, dispatch: StartDispatch(alternatives: alternatives))
    }

    /// Non-overlapping matches left to right, as the search loop of the `onig` crate that `tokenizers` uses
    /// (`find_iter`): after a match ending at e the search resumes at e, and an empty match at the end of the
    /// previous match is skipped by moving one scalar on. Ranges index `text`; empty matches are reported too.
    public func forEachMatch(in text: UnsafeBufferPointer<Unicode.Scalar>, _ body: (Range<Int>) -> Void) {
        var machine = RegexMachine(program: program, text: text)
        var searchStart = 0
        var previousEnd = -1
        while searchStart <= text.count {
            guard let found = search(&machine, from: searchStart) else { return }
            if found.isEmpty && found.upperBound == previousEnd {
                searchStart += 1
                continue
            }
            searchStart = found.upperBound
            previousEnd = found.upperBound
            body(found)
        }
    }

    /// All matches (see `forEachMatch`).
    public func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        text.withUnsafeBufferPointer { buffer in forEachMatch(in: buffer) { found.append($0) } }
        return found
    }

    /// The leftmost match starting at or after `start`, the first in pattern priority there.
    private func search(_ machine: inout RegexMachine, from start: Int) -> Range<Int>? {
        let text = machine.text
        let starts = program.alternativeStarts
        let byLatin = program.startsByLatinScalar
        let byProperty = program.startsByProperty
        let anywhere = program.startsAnywhere
        var position = start
        while position <= text.count {
            var candidates = anywhere
            if position < text.count {
                let value = text[position].value
                candidates |= value < 256 ? byLatin[Int(value)] : byProperty[Int(machine.properties(value))]
            }
            while candidates != 0 {
                let alternative = candidates.trailingZeroBitCount
                candidates &= candidates &- 1
                let end = machine.execute(starts[alternative], at: position)
                if end >= 0 { return position..<end }
            }
            position += 1
        }
        return nil
    }
}
