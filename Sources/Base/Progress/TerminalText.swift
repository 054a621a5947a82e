/// Text from a file or a user made safe to print for a person: one record
/// stays one line, and nothing in it can move the cursor, change colours or
/// talk to the terminal (DESIGN.md, principle 7).
public enum TerminalText {
    /// `text` with every character that a terminal would act on instead of
    /// show written as the escape a JSON string uses: `\n`, `\r`, `\t`, and
    /// `\u` with four lowercase hex digits for the other C0 controls (NUL is
    /// `\u0000`, ESC `\u001b`), DEL, the C1 controls (U+0080–U+009F), the
    /// line and paragraph separators, and the bidirectional controls that
    /// reorder what is shown (Trojan Source). Everything else, non-ASCII
    /// letters included, is printed as is. A backslash is left alone: the
    /// escapes keep lines whole and the terminal Smelt's, and `--json` gives
    /// the exact text; doubling it would garble Windows-style paths and
    /// Smelt's own messages that quote a JSON escape. Swift strings are valid
    /// UTF-8, so bytes that were not reach here as U+FFFD, already harmless.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where needsEscape(scalar):
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Whether `scalar` is a control character (C0, DEL, C1), a line or
    /// paragraph separator, or a bidirectional embedding, override, isolate
    /// or mark.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
