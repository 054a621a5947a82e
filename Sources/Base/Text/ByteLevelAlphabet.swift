/// GPT-2's byte-level alphabet (`bytes_to_unicode` of OpenAI's encoder.py,
/// which the `tokenizers` ByteLevel pre-tokenizer shares): each byte is one
/// printable character. The 188 bytes that are printable Latin-1 stand for
/// themselves; the other 68 (controls, space, DEL, NBSP, soft hyphen) map in
/// order to U+0100...U+0143, so a space is "Ġ" and a newline "Ċ".
public enum ByteLevelAlphabet {
    /// The character of each byte value.
    public static let characters: [Unicode.Scalar] = {
        var result: [Unicode.Scalar] = []
        var next: UInt32 = 0x100
        for byte in UInt32(0)...0xFF {
            if standsForItself(byte) {
                result.append(Unicode.Scalar(UInt8(byte)))
            } else {
                result.append(Unicode.Scalar(next)!)  // checked: 0x100...0x143, always a scalar
                next += 1
            }
        }
        return result
    }()

    private static func standsForItself(_ value: UInt32) -> Bool {
        (0x21...0x7E).contains(value) || (0xA1...0xAC).contains(value) || (0xAE...0xFF).contains(value)
    }

    /// Whether `scalar` is one of the 256 characters.
    public static func contains(_ scalar: Unicode.Scalar) -> Bool {
        standsForItself(scalar.value) || (0x100...0x143).contains(scalar.value)
    }

    /// Whether every character of `text` is in the alphabet, as every token
    /// of a byte-level vocabulary should be.
    public static func spells(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(contains)
    }

    /// `text` as a byte-level vocabulary writes it: unchanged when already
    /// spelled in the alphabet, else each of its UTF-8 bytes as its character
    /// (transformers' GGUF conversion respells such tokens so that the
    /// merges, which are spelled in the alphabet, can reach them).
    public static func spelling(_ text: String) -> String {
        if spells(text) { return text }
        var result = String.UnicodeScalarView()
        for byte in text.utf8 { result.append(characters[Int(byte)]) }
        return String(result)
    }
}
