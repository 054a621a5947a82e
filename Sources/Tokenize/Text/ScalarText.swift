/// String operations by Unicode scalars, as Rust and Python do them: Swift's
/// own `hasPrefix` and `replacing` work on grapheme clusters, so "##" is not a
/// prefix of "##\u{302}t" for them (the second "#" and the accent are one
/// Character).
enum ScalarText {
    static func hasPrefix(_ prefix: String, _ text: String) -> Bool {
        text.unicodeScalars.starts(with: prefix.unicodeScalars)
    }

    /// `text` without `prefix`, or `text` when it does not start with it.
    static func removingPrefix(_ prefix: String, from text: String) -> String {
        guard !prefix.isEmpty, hasPrefix(prefix, text) else { return text }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text.unicodeScalars.dropFirst(prefix.unicodeScalars.count))
        return String(view)
    }

    /// Every occurrence of `target`, left to right, replaced.
    static func replacing(_ target: String, with replacement: String, in text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        let needle = Array(target.unicodeScalars)
        guard !needle.isEmpty else { return text }
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if index + needle.count <= scalars.count, scalars[index..<index + needle.count].elementsEqual(needle) {
                result.append(contentsOf: replacement.unicodeScalars)
                index += needle.count
            } else {
                result.append(scalars[index])
                index += 1
            }
        }
        return String(result)
    }
}
