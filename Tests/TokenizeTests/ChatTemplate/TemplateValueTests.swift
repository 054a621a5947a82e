import Base
import Testing

@testable import Tokenize

/// Values as the reference Jinja renderer sees them: JSON numbers split into
/// int and float as its JSON reader splits them, floats printed as its `repr`.
@Suite struct TemplateValueTests {
    static let jsonNumbers: [(String, TemplateValue)] = [
        ("1", .integer(1)), ("-5", .integer(-5)), ("0", .integer(0)), ("1.0", .double(1)), ("1e3", .double(1000)),
        ("-2.5E-3", .double(-0.0025)), ("18446744073709551615", .double(18_446_744_073_709_551_616)),
        ("9223372036854775807", .integer(Int.max)),
    ]

    @Test(arguments: jsonNumbers)
    func readsJSONNumbersAsTheReferenceRendererDoes(_ text: String, _ expected: TemplateValue) throws {
        #expect(TemplateValue(json: try JSONScanner.parse(Array(text.utf8)).value) == expected)
    }

    @Test func keepsObjectKeysInOrder() throws {
        let value = TemplateValue(
            json: try JSONScanner.parse(Array(#"{"z": 1, "a": [true, null], "m": "x"}"#.utf8)).value)
        #expect(
            value
                == .object([
                    (key: "z", value: .integer(1)), (key: "a", value: .array([.bool(true), .none])),
                    (key: "m", value: .string("x")),
                ]))
        #expect(value.reprText == "{'z': 1, 'a': [True, None], 'm': 'x'}")
    }

    static let floats: [(Double, String)] = [
        (1e16, "1e+16"), (1e15, "1000000000000000.0"), (0.1, "0.1"), (1.5e-5, "1.5e-05"), (0.0001, "0.0001"),
        (0.00001, "1e-05"), (-0.0, "-0.0"), (Double.leastNonzeroMagnitude, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (12_345_678_901_234_568, "1.2345678901234568e+16"), (123_456_789.125, "123456789.125"), (2.5, "2.5"),
        (.infinity, "inf"), (-.infinity, "-inf"), (.nan, "nan"),
    ]

    @Test(arguments: floats)
    func printsFloatsAsTheReferenceRepr(_ value: Double, _ expected: String) {
        #expect(TemplateValue.double(value).displayText == expected)
    }

    @Test func conversationRenderingPassesToolsAndDocumentsAsNone() throws {
        let template = try ChatTemplate(
            source: "{{ tools is none }} {{ documents is defined }} {{ bos_token }}{{ eos_token is defined }}",
            origin: "t")
        let text = try template.render(messages: [], bosToken: "<s>", eosToken: nil, addGenerationPrompt: false)
        #expect(text == "True True <s>False")
    }

    @Test func compilesOnceAndRendersMany() throws {
        let template = try ChatTemplate(source: "{% for m in messages %}{{ m.content }}{% endfor %}", origin: "t")
        for count in 0..<3 {
            let messages = Array(repeating: TemplateValue.object([(key: "content", value: .string("x"))]), count: count)
            #expect(try template.render(["messages": .array(messages)]) == String(repeating: "x", count: count))
        }
    }
}
