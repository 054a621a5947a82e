/// Python's `str` methods, which index by code point (Unicode scalar) and
/// never treat canonically equivalent spellings as equal, as Swift's
/// `String` comparisons do.
extension String {
    var scalars: [Unicode.Scalar] { Array(unicodeScalars) }

    init(scalars: some Sequence<Unicode.Scalar>) {
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        self = text
    }

    /// The code-point offset of the first `needle` at or after `start`.
    func pythonFind(_ needle: String, from start: Int = 0) -> Int? {
        let haystack = scalars
        let pattern = needle.scalars
        guard pattern.count <= haystack.count else { return nil }
        var offset = max(0, start)
        while offset + pattern.count <= haystack.count {
            if haystack[offset..<offset + pattern.count].elementsEqual(pattern) { return offset }
            offset += 1
        }
        return nil
    }

    /// Python's `str.replace(old, new, count)`.
    func pythonReplace(_ old: String, with new: String, count limit: Int = -1) -> String {
        let haystack = scalars
        let pattern = old.scalars
        var result: [Unicode.Scalar] = []
        var replaced = 0
        var offset = 0
        if pattern.isEmpty {
            for scalar in haystack {
                if limit < 0 || replaced < limit {
                    result.append(contentsOf: new.unicodeScalars)
                    replaced += 1
                }
                result.append(scalar)
            }
            if limit < 0 || replaced < limit { result.append(contentsOf: new.unicodeScalars) }
            return String(scalars: result)
        }
        while offset < haystack.count {
            if (limit < 0 || replaced < limit), offset + pattern.count <= haystack.count,
                haystack[offset..<offset + pattern.count].elementsEqual(pattern)
            {
                result.append(contentsOf: new.unicodeScalars)
                offset += pattern.count
                replaced += 1
            } else {
                result.append(haystack[offset])
                offset += 1
            }
        }
        return String(scalars: result)
    }

    /// Python's `str.isspace` for one code point.
    static func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        (0x1C...0x1F).contains(scalar.value) || scalar.properties.isWhitespace
    }

    /// Python's `strip`, `lstrip` and `rstrip`: white space, or any of `characters`.
    func pythonStrip(_ characters: String?, leading: Bool = true, trailing: Bool = true) -> String {
        let set = characters.map { Set($0.unicodeScalars) }
        let strips = { (scalar: Unicode.Scalar) in set?.contains(scalar) ?? String.isPythonWhitespace(scalar) }
        let all = scalars
        var start = 0
        var end = all.count
        if leading { while start < end && strips(all[start]) { start += 1 } }
        if trailing { while end > start && strips(all[end - 1]) { end -= 1 } }
        return String(scalars: all[start..<end])
    }

    /// Python's `str.split(sep, maxsplit)`; no separator splits on runs of white space.
    func pythonSplit(_ separator: String?, maxSplits: Int = -1) -> [String] {
        let all = scalars
        guard let separator else {
            var parts: [String] = []
            var offset = 0
            while offset < all.count {
                while offset < all.count && String.isPythonWhitespace(all[offset]) { offset += 1 }
                guard offset < all.count else { break }
                if maxSplits >= 0 && parts.count == maxSplits {
                    var end = all.count
                    while end > offset && String.isPythonWhitespace(all[end - 1]) { end -= 1 }
                    parts.append(String(scalars: all[offset..<end]))
                    break
                }
                let start = offset
                while offset < all.count && !String.isPythonWhitespace(all[offset]) { offset += 1 }
                parts.append(String(scalars: all[start..<offset]))
            }
            return parts
        }
        let pattern = separator.scalars
        var parts: [String] = []
        var start = 0
        var offset = 0
        while offset + pattern.count <= all.count && (maxSplits < 0 || parts.count < maxSplits) {
            if all[offset..<offset + pattern.count].elementsEqual(pattern) {
                parts.append(String(scalars: all[start..<offset]))
                offset += pattern.count
                start = offset
            } else {
                offset += 1
            }
        }
        parts.append(String(scalars: all[start...]))
        return parts
    }

    /// Python's `str.splitlines()` (without the line ends).
    func pythonSplitLines() -> [String] {
        let breaks: Set<UInt32> = [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]
        let all = scalars
        var lines: [String] = []
        var start = 0
        var offset = 0
        while offset < all.count {
            if breaks.contains(all[offset].value) {
                lines.append(String(scalars: all[start..<offset]))
                if all[offset] == "\r", offset + 1 < all.count, all[offset + 1] == "\n" { offset += 1 }
                start = offset + 1
            }
            offset += 1
        }
        if start < all.count { lines.append(String(scalars: all[start...])) }
        return lines
    }

    func pythonStartsWith(_ prefix: String) -> Bool { unicodeScalars.starts(with: prefix.unicodeScalars) }

    func pythonEndsWith(_ suffix: String) -> Bool {
        unicodeScalars.reversed().starts(with: suffix.unicodeScalars.reversed())
    }

    /// Python's `upper()`/`lower()`, per code point as Python maps them.
    func pythonCapitalized() -> String {
        let all = scalars
        guard let first = all.first else { return "" }
        return String(first).uppercased() + String(scalars: all.dropFirst()).lowercased()
    }
}
