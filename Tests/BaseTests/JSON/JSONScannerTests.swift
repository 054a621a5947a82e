import Base
import Testing

/// The hand-written JSON reader: what it accepts, how it classifies
/// numbers, and the exact place and reason of each refusal.
@Suite struct JSONScannerTests {
    private func parse(_ text: String, maximumDepth: Int = 64) throws(JSONSyntaxError) -> JSONNode {
        try JSONScanner.parse(Array(text.utf8), maximumDepth: maximumDepth)
    }

    @Test func keepsUnsignedIntegersApartFromOtherNumbers() throws {
        let cases: [(String, String)] = [
            ("0", "u0"), ("18446744073709551615", "u18446744073709551615"),
            ("18446744073709551616", "n18446744073709551616"),
            ("-0", "n-0"), ("1.5", "n1.5"), ("1e5", "n1e5"), ("2E-3", "n2E-3"),
        ]
        for (text, expected) in cases {
            switch try parse(text).value {
            case .unsignedInteger(let value): #expect("u\(value)" == expected, "\(text)")
            case .number(let written): #expect("n" + written == expected, "\(text)")
            default: Issue.record("\(text) is not a number")
            }
        }
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        guard case .string(let text) = try parse(#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#).value else {
            Issue.record("not a string")
            return
        }
        #expect(text == "a\"\\/\u{08}\u{0C}\n\r\té😀")
    }

    @Test func keepsObjectMembersInFileOrderWithOffsets() throws {
        guard case .object(let members) = try parse(#" {"b": 1, "a": [true, false, null]}"#).value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["b", "a"])
        #expect(members.map(\.node.offset) == [7, 15])
    }

    /// "é" written precomposed and decomposed are different keys when asked (JSON compares code
    /// points), as in real tokenizer.json vocabularies; by default they are one key, the second refused.
    @Test func keepsKeysThatDifferOnlyInUnicodeNormalizationWhenAsked() throws {
        let text = "{\"\u{E9}\": 1, \"e\u{301}\": 2}"
        expectRefusal(text, offset: 10, message: "duplicate key \"e\u{301}\"") { () throws(JSONSyntaxError) in
            try parse(text)
        }
        guard case .object(let members) = try JSONScanner.parse(Array(text.utf8), keyEquality: .exact).value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map { Array($0.key.utf8) } == [[0xC3, 0xA9], [0x65, 0xCC, 0x81]])
    }

    static let refusals: [(text: String, offset: Int, message: String)] = [
        ("", 0, "unexpected end of JSON"),
        ("{\"a\":1,}", 7, "expected a string key"),
        ("[1 2]", 3, "expected ',' or ']' in an array"),
        ("tru", 0, "unexpected end of JSON"),
        ("nul!", 0, "invalid literal, expected null"),
        ("-", 1, "invalid number"),
        ("1.", 2, "expected digits after '.'"),
        ("1e+", 3, "expected digits in the exponent"),
        ("\"\\x\"", 1, "invalid escape '\\x'"),
        ("\"\\ud83d\"", 7, "unpaired surrogate in \\u escape"),
        ("\"\\ude00\"", 7, "unpaired surrogate in \\u escape"),
        ("\"\\u12G4\"", 5, "invalid hex digit in \\u escape"),
        ("\"abc", 0, "unterminated string"),
        ("{\"a\":1} {}", 8, "unexpected data after the JSON value"),
        ("[[[1]]]", 2, "nesting deeper than 1 levels"),
        ("{\"a\": 1, \"a\": 2}", 9, "duplicate key \"a\""),
    ]

    private func expectRefusal(
        _ text: String, offset: Int, message: String, _ parse: () throws(JSONSyntaxError) -> JSONNode
    ) {
        do {
            _ = try parse()
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.offset == offset && error.message == message, "\(text): got \(error.offset) \(error.message)")
        }
    }

    @Test(arguments: refusals.indices)
    func refusesMalformedJSONAtItsByte(_ index: Int) {
        let (text, offset, message) = Self.refusals[index]
        expectRefusal(text, offset: offset, message: message) { () throws(JSONSyntaxError) in
            try parse(text, maximumDepth: text.hasPrefix("[[[") ? 1 : 64)
        }
    }

    @Test func refusesArraysBeyondTheLimit() {
        let bytes = Array(("[" + Array(repeating: "0", count: 5).joined(separator: ",") + "]").utf8)
        expectRefusal("five elements", offset: 9, message: "array longer than 4 elements") {
            () throws(JSONSyntaxError) in
            let result = bytes.withUnsafeBytes { raw in
                Result { () throws(JSONSyntaxError) in try JSONScanner.parse(raw, maximumArrayCount: 4) }
            }
            return try result.get()
        }
    }
}
