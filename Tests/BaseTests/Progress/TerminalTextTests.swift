import Base
import Testing

/// Text from files and users printed for a person (TerminalText): every
/// character a terminal would act on is escaped, everything readable is kept.
@Suite struct TerminalTextTests {
    struct EscapeCase: CustomTestStringConvertible, Sendable {
        let rule: String
        let text: String
        let shown: String
        var testDescription: String { rule }
    }

    static let controls: [EscapeCase] = [
        EscapeCase(rule: "line feed is \\n", text: "a\nerror: forged", shown: "a\\nerror: forged"),
        EscapeCase(rule: "carriage return is \\r", text: "a\rb", shown: "a\\rb"),
        EscapeCase(rule: "tab is \\t", text: "a\tb", shown: "a\\tb"),
        EscapeCase(rule: "CR LF, one Character, is two escapes", text: "a\r\nb", shown: "a\\r\\nb"),
        EscapeCase(rule: "NUL is \\u0000", text: "a\u{0}b", shown: "a\\u0000b"),
        EscapeCase(rule: "ESC is \\u001b", text: "\u{1B}[31mred", shown: "\\u001b[31mred"),
        EscapeCase(
            rule: "BEL and the rest of C0 use \\u", text: "\u{1B}]0;title\u{7}", shown: "\\u001b]0;title\\u0007"),
        EscapeCase(rule: "DEL is \\u007f", text: "a\u{7F}", shown: "a\\u007f"),
        EscapeCase(rule: "C1 CSI is \\u009b", text: "\u{9B}2J", shown: "\\u009b2J"),
        EscapeCase(rule: "C1 NEL is \\u0085", text: "a\u{85}b", shown: "a\\u0085b"),
        EscapeCase(rule: "line separator is escaped", text: "a\u{2028}b", shown: "a\\u2028b"),
        EscapeCase(
            rule: "right-to-left override is escaped", text: "invoice\u{202E}fdp.exe", shown: "invoice\\u202efdp.exe"),
        EscapeCase(rule: "bidi isolate is escaped", text: "\u{2066}a\u{2069}", shown: "\\u2066a\\u2069"),
        EscapeCase(rule: "non-ASCII letters beside a control stay", text: "é.日本\u{1B}", shown: "é.日本\\u001b"),
        EscapeCase(rule: "a backslash beside a control stays single", text: "dir\\w\n", shown: "dir\\w\\n"),
    ]

    @Test(arguments: controls)
    func escapesWhatATerminalWouldActOn(_ testCase: EscapeCase) {
        #expect(TerminalText.escaped(testCase.text) == testCase.shown)
    }

    @Test(arguments: [
        "model.layers.0.self_attn.q_proj.weight", "é", "日本語のテンソル", "👩‍💻", "C:\\models\\a", "a\\nb", "",
    ])
    func leavesPrintableTextAsIs(_ text: String) {
        #expect(TerminalText.escaped(text) == text)
    }

    /// Exactly the controls (Cc), the line and paragraph separators (Zl, Zp)
    /// and the Bidi_Control characters are escaped, each to printable ASCII.
    @Test func escapesExactlyControlsSeparatorsAndBidiControls() {
        var wrong: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let properties = scalar.properties
            let mustEscape =
                properties.generalCategory == .control || properties.generalCategory == .lineSeparator
                || properties.generalCategory == .paragraphSeparator || properties.isBidiControl
            let shown = TerminalText.escaped(String(scalar))
            let isUnchanged = shown == String(scalar)
            let isEscape = shown.hasPrefix("\\") && shown.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) }
            if mustEscape ? isUnchanged || !isEscape : !isUnchanged { wrong.append(value) }
        }
        #expect(wrong.isEmpty, "wrong for \(wrong.prefix(10).map { String($0, radix: 16) })")
    }
}
