import Foundation
import TestSupport

/// The matches `tokenizers` (Oniguruma) finds, from `Fixtures/tokenize/regex` (tools/make_regex_references.py), or
/// from the folder `SMELT_REGEX_REFERENCES` names (tools/fuzz_regex_references.py).
struct RegexReferences {
    static let overrideFolder: String? = ProcessInfo.processInfo.environment["SMELT_REGEX_REFERENCES"]

    let texts: [[Unicode.Scalar]]
    /// Per pattern, per text, the non-empty matches.
    let patterns: [(pattern: String, matches: [[Range<Int>]])]

    static let shared: RegexReferences? = try? RegexReferences()

    init() throws {
        let textLines = try Self.lines("texts.txt")
        texts = textLines.map(Self.scalars)
        var patterns: [(String, [[Range<Int>]])] = []
        var current: (String, [[Range<Int>]])?
        for line in try Self.lines("matches.txt") {
            if line.hasPrefix("P ") {
                if let current { patterns.append(current) }
                current = (String(String.UnicodeScalarView(Self.scalars(String(line.dropFirst(2))))), [])
            } else {
                current?.1.append(Self.ranges(line))
            }
        }
        if let current { patterns.append(current) }
        self.patterns = patterns
    }

    private static func lines(_ name: String) throws -> [String] {
        let folder = overrideFolder ?? TestFiles.fixture("tokenize/regex")
        let bytes = try TestFiles.read(folder + "/" + name)
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.map(String.init)
    }

    private static func scalars(_ line: String) -> [Unicode.Scalar] {
        line.split(separator: " ").compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
    }

    /// `length` continues where the previous match ended; `+gap:length` skips `gap` scalars first.
    private static func ranges(_ line: String) -> [Range<Int>] {
        var end = 0
        var found: [Range<Int>] = []
        for word in line.split(separator: " ") {
            var start = end
            var lengthText = word
            if word.hasPrefix("+"), let colon = word.firstIndex(of: ":") {
                start += Int(word[word.index(after: word.startIndex)..<colon]) ?? 0
                lengthText = word[word.index(after: colon)...]
            }
            end = start + (Int(lengthText) ?? 0)
            found.append(start..<end)
        }
        return found
    }
}
