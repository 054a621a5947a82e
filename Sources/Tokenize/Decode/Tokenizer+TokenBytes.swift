/// What one token stands for on its own, as bytes: the form in which the
/// tokens of two different tokenizers can be compared (heterogeneous
/// fusion aligns them and maps one vocabulary into the other).
extension Tokenizer {
    /// One past the largest id of the model's vocabulary and the added tokens.
    public var idCount: Int { max(model.idCount, (addedVocabulary.tokens.map { Int($0.id) }.max() ?? -1) + 1) }

    /// The bytes of token `id` alone, nil for an unknown id: an added
    /// token's content; a byte-level token's bytes (each character of the
    /// byte alphabet is one byte); otherwise the token string with the
    /// word-boundary marker `▁` as a space and a byte-fallback piece
    /// `<0xNN>` as its byte. Unlike `decode`, no decoder strips the leading
    /// space of a first token: the space is part of what the token says.
    public func tokenBytes(of id: Int32) -> [UInt8]? {
        if let added = addedVocabulary.token(of: id) { return Array(added.content.utf8) }
        guard let token = model.token(of: id) else { return nil }
        if decoder?.containsByteLevel == true {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(token.utf8.count)
            for scalar in token.unicodeScalars {
                guard let byte = ByteLevelBytes.byte(of: scalar) else { return Array(token.utf8) }
                bytes.append(byte)
            }
            return bytes
        }
        if let byte = Self.byteFallbackValue(token) { return [byte] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            if scalar == "\u{2581}" { bytes.append(0x20) } else { bytes += Array(String(scalar).utf8) }
        }
        return bytes
    }

    /// NN of a token spelled exactly `<0xNN>` (two hex digits).
    static func byteFallbackValue(_ token: String) -> UInt8? {
        let utf8 = Array(token.utf8)
        guard utf8.count == 6, utf8[0] == UInt8(ascii: "<"), utf8[1] == UInt8(ascii: "0"),
            utf8[2] == UInt8(ascii: "x"), utf8[5] == UInt8(ascii: ">")
        else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }
}

extension Decoder {
    /// Whether a byte-level step is part of this decoder.
    var containsByteLevel: Bool {
        switch self {
        case .byteLevel: return true
        case .sequence(let decoders): return decoders.contains { $0.containsByteLevel }
        default: return false
        }
    }
}
