/// A trie of scalar strings answering "which is the longest one starting
/// here": the library's leftmost-longest Aho-Corasick search, done one start
/// position at a time (added-token contents are short).
struct ScalarTrie: Sendable {
    /// (node << 21 | scalar) → child node.
    private var children: [UInt64: Int32] = [:]
    /// The value ending at each node, or -1.
    private var values: [Int32] = [-1]
    /// Scalars that start some string, for a quick skip.
    private var firstScalars: Set<UInt32> = []

    var isEmpty: Bool { values.count == 1 }

    mutating func insert(_ key: [Unicode.Scalar], value: Int32) {
        guard let first = key.first else { return }
        firstScalars.insert(first.value)
        var node: Int32 = 0
        for scalar in key {
            let edge = UInt64(node) << 21 | UInt64(scalar.value)
            if let child = children[edge] {
                node = child
            } else {
                let child = Int32(values.count)
                values.append(-1)
                children[edge] = child
                node = child
            }
        }
        if values[Int(node)] < 0 { values[Int(node)] = value }
    }

    /// The longest string starting at `start` inside `range`: its end and value.
    func longestMatch(in scalars: [Unicode.Scalar], at start: Int, before end: Int) -> (end: Int, value: Int32)? {
        guard firstScalars.contains(scalars[start].value) else { return nil }
        var node: Int32 = 0
        var best: (end: Int, value: Int32)?
        var index = start
        while index < end, let child = children[UInt64(node) << 21 | UInt64(scalars[index].value)] {
            node = child
            index += 1
            if values[Int(node)] >= 0 { best = (index, values[Int(node)]) }
        }
        return best
    }

    /// Every string starting at `start` inside the range, shortest first:
    /// calls `body` with each one's end and value.
    func forEachPrefix(in scalars: ArraySlice<Unicode.Scalar>, at start: Int, _ body: (Int, Int32) -> Void) {
        var node: Int32 = 0
        var index = start
        while index < scalars.endIndex, let child = children[UInt64(node) << 21 | UInt64(scalars[index].value)] {
            node = child
            index += 1
            if values[Int(node)] >= 0 { body(index, values[Int(node)]) }
        }
    }
}
