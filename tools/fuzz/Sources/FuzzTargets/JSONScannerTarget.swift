import Base
import Checkpoint

/// Fuzzes `JSONScanner.parse` directly, with properties that tie its
/// options together: an accepted document's nesting depth is exactly the
/// smallest `maximumDepth` that accepts it, accepting with
/// `trailingSpacesOnly` implies accepting without it, every node's offset
/// lies inside the input, and every string survives `JSONOutput.quoted`.
public enum JSONScannerTarget {
    public static func run(_ input: UnsafeRawBufferPointer) {
        let spacesOnlyAccepted = (try? JSONScanner.parse(input, trailingSpacesOnly: true)) != nil
        let root: JSONNode
        do {
            root = try JSONScanner.parse(input)
        } catch {
            invariant(!spacesOnlyAccepted, "accepted with only trailing spaces allowed, refused with all white space allowed")
            invariant(error.offset >= 0 && error.offset <= input.count, "error offset \(error.offset) outside \(input.count) bytes")
            return
        }
        let depth = check(root, depth: 0, inputCount: input.count)
        invariant(depth <= 64, "accepted nesting depth \(depth) over the default limit")
        invariant((try? JSONScanner.parse(input, maximumDepth: depth)) != nil, "refused at maximumDepth \(depth), its own depth")
        invariant((try? JSONScanner.parse(input, maximumDepth: depth - 1)) == nil, "accepted at maximumDepth \(depth - 1), under its depth \(depth)")
    }

    /// Checks offsets and strings below `node`; returns the deepest depth.
    private static func check(_ node: JSONNode, depth: Int, inputCount: Int) -> Int {
        invariant(node.offset >= 0 && node.offset < inputCount, "node offset \(node.offset) outside \(inputCount) bytes")
        switch node.value {
        case .object(let members):
            var deepest = depth
            for (key, child) in members {
                checkQuoting(key)
                deepest = max(deepest, check(child, depth: depth + 1, inputCount: inputCount))
            }
            return deepest
        case .array(let elements):
            return elements.reduce(depth) { max($0, check($1, depth: depth + 1, inputCount: inputCount)) }
        case .string(let text):
            checkQuoting(text)
            return depth
        case .unsignedInteger, .number, .bool, .null:
            return depth
        }
    }

    /// What Smelt writes with `JSONOutput.quoted` must read back unchanged.
    private static func checkQuoting(_ text: String) {
        let quoted = JSONOutput.quoted(text)
        guard let node = try? JSONScanner.parse(Array(quoted.utf8)), case .string(let reread) = node.value else {
            invariant(false, "JSONOutput.quoted output does not parse: \(quoted)")
            return
        }
        invariant(sameBytes(reread, text), "string changed through JSONOutput.quoted: \(quoted)")
    }
}
