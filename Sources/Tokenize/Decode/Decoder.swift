import Base

/// A `tokenizer.json` decoder: turns token strings back into text (the
/// library's decoders, each a step over the list of token strings).
indirect enum Decoder: Sendable {
    case byteLevel
    case metaspace(replacement: Unicode.Scalar, prependScheme: PreTokenizer.PrependScheme)
    case byteFallback
    case fuse
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    case replace(TextPattern, with: String)
    case wordPiece(prefix: String, cleanup: Bool)
    case sequence([Decoder])

    /// The library's `decode_chain`.
    func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case .sequence(let decoders):
            return decoders.reduce(tokens) { $1.decodeChain($0) }
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                let start = bytes.count
                var isByteLevel = true
                for scalar in token.unicodeScalars {
                    guard let byte = ByteLevelBytes.byte(of: scalar) else {
                        isByteLevel = false
                        break
                    }
                    bytes.append(byte)
                }
                if !isByteLevel {
                    bytes.removeLast(bytes.count - start)
                    bytes += Array(token.utf8)
                }
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case .metaspace(let replacement, let scheme):
            return tokens.enumerated().map { index, token in
                var result = String.UnicodeScalarView()
                for (position, scalar) in token.unicodeScalars.enumerated() {
                    let character: Unicode.Scalar = scalar == replacement ? " " : scalar
                    if character == " " && index == 0 && position == 0 && scheme != .never { continue }
                    result.append(character)
                }
                return String(result)
            }
        case .byteFallback:
            return Self.byteFallback(tokens)
        case .fuse:
            return [tokens.joined()]
        case .strip(let content, let start, let stop):
            return tokens.map { token in
                var scalars = Array(token.unicodeScalars)
                var removed = 0
                while removed < start, scalars.first == content {
                    scalars.removeFirst()
                    removed += 1
                }
                removed = 0
                while removed < stop, scalars.last == content {
                    scalars.removeLast()
                    removed += 1
                }
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars)
                return String(view)
            }
        case .replace(let pattern, let content):
            return tokens.map { token in
                let scalars = Array(token.unicodeScalars)
                var result = String.UnicodeScalarView()
                var cursor = 0
                for match in pattern.matchRanges(in: scalars, 0..<scalars.count) where !match.isEmpty {
                    result.append(contentsOf: scalars[cursor..<match.lowerBound])
                    result.append(contentsOf: content.unicodeScalars)
                    cursor = match.upperBound
                }
                result.append(contentsOf: scalars[cursor...])
                return String(result)
            }
        case .wordPiece(let prefix, let cleanup):
            return tokens.enumerated().map { index, token in
                var text = token
                if index != 0 {
                    text =
                        ScalarText.hasPrefix(prefix, text) ? ScalarText.removingPrefix(prefix, from: text) : " " + text
                }
                return cleanup ? Self.cleanUp(text) : text
            }
        }
    }

    /// `<0xHH>` tokens become their bytes; a run of them that is not UTF-8
    /// becomes one U+FFFD per byte.
    private static func byteFallback(_ tokens: [String]) -> [String] {
        var result: [String] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                result.append(text)
            } else {
                result.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
            }
            pending.removeAll()
        }
        for token in tokens {
            let utf8 = Array(token.utf8)
            if utf8.count == 6, utf8.starts(with: Array("<0x".utf8)), utf8[5] == UInt8(ascii: ">"),
                let byte = UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
            {
                pending.append(byte)
            } else {
                flush()
                result.append(token)
            }
        }
        flush()
        return result
    }

    /// WordPiece's `cleanup`: the spaces English tokenization puts before
    /// punctuation and contractions go.
    private static func cleanUp(_ text: String) -> String {
        var result = text
        for (from, to) in [
            (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
            (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
        ] {
            result = ScalarText.replacing(from, with: to, in: result)
        }
        return result
    }
}

/// The byte each character of the byte-level alphabet stands for.
enum ByteLevelBytes {
    private static let table: [UInt32: UInt8] = {
        var table: [UInt32: UInt8] = [:]
        for (byte, character) in ByteLevelAlphabet.characters.enumerated() { table[character.value] = UInt8(byte) }
        return table
    }()

    static func byte(of scalar: Unicode.Scalar) -> UInt8? { table[scalar.value] }
}
