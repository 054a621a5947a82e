/// Which top-level alternatives can start with a given scalar, so the search tries only those (for the GPT-2
/// pattern a letter tries ` ?\p{L}+` alone). Conservative: an alternative listed may still fail.
struct StartDispatch {
    /// Bit i: alternative i can start with this scalar (U+0000–U+00FF).
    var byLatinScalar = [UInt64](repeating: 0, count: 256)
    /// Bit i: alternative i can start with a scalar above U+00FF that has this property byte.
    var byProperty = [UInt64](repeating: 0, count: 128)
    /// Alternatives to try everywhere, the end of the text included.
    var anywhere: UInt64 = 0

    /// The scalars a node can start with: exact below U+0100, by property byte above.
    struct Starts {
        var latin = [Bool](repeating: false, count: 256)
        var properties = [Bool](repeating: false, count: 128)
        /// Set when the node starts with an assertion or lookahead: try it everywhere.
        var isAnywhere = false

        mutating func formUnion(_ other: Starts) {
            for index in 0..<256 where other.latin[index] { latin[index] = true }
            for index in 0..<128 where other.properties[index] { properties[index] = true }
            isAnywhere = isAnywhere || other.isAnywhere
        }
    }

    init(alternatives: [RegexNode]) {
        for (index, alternative) in alternatives.enumerated() {
            let bit: UInt64 = 1 << UInt64(index)
            let starts = Self.starts(of: alternative)
            if starts.isAnywhere || alternative.isNullable {
                anywhere |= bit
                continue
            }
            for value in 0..<256 where starts.latin[value] { byLatinScalar[value] |= bit }
            for byte in 0..<128 where starts.properties[byte] { byProperty[byte] |= bit }
        }
    }

    static func starts(of node: RegexNode) -> Starts {
        var starts = Starts()
        switch node {
        case .empty: break
        case .set(let set): starts = Self.starts(of: set)
        case .sequence(let items):
            for item in items {
                starts.formUnion(Self.starts(of: item))
                if !item.isNullable { break }
            }
        case .alternation(let items):
            for item in items { starts.formUnion(Self.starts(of: item)) }
        case .repetition(let body, _, _, _), .atomic(let body): starts = Self.starts(of: body)
        case .lookahead, .assertion: starts.isAnywhere = true
        }
        return starts
    }

    static func starts(of set: ScalarSet) -> Starts {
        var starts = Starts()
        let table = ScalarClass.table
        for value in UInt32(0)..<256 {
            starts.latin[Int(value)] = set.contains(value, properties: table.properties(of: value))
        }
        let high = set.ranges.filter { $0.upperBound >= 256 }
        let highCount = high.reduce(0) { $0 + Int($1.count) }
        if set.isNegated && !high.isEmpty || highCount > 4096 {
            starts.properties = [Bool](repeating: true, count: 128)
            return starts
        }
        for byte in 0..<128 { starts.properties[byte] = set.hasProperty(UInt8(byte)) != set.isNegated }
        for range in high {
            for value in range where value >= 256 { starts.properties[Int(table.properties(of: value))] = true }
        }
        return starts
    }
}
