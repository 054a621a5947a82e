import Base
import Testing

/// The streaming writer lays JSON out exactly as serde_json's pretty
/// printer (and so the `tokenizers` library) does.
@Suite struct PrettyJSONWriterTests {
    @Test func laysOutNestedValuesOneElementPerLine() {
        var json = PrettyJSONWriter()
        json.beginObject()
        json.member("version", "1.0")
        json.key("padding")
        json.null()
        json.key("merges")
        json.beginArray()
        json.beginArray()
        json.string("a")
        json.string("b")
        json.endArray()
        json.endArray()
        json.key("empty")
        json.value(.object([("list", .array([])), ("map", .object([]))]))
        json.key("flags")
        json.value(.array([.bool(true), .integer(-3), .unsigned(7), .number("1000000000000000019884624838656")]))
        json.endObject()
        let expected = """
            {
              "version": "1.0",
              "padding": null,
              "merges": [
                [
                  "a",
                  "b"
                ]
              ],
              "empty": {
                "list": [],
                "map": {}
              },
              "flags": [
                true,
                -3,
                7,
                1000000000000000019884624838656
              ]
            }
            """
        #expect(json.bytes == Array(expected.utf8))
    }

    @Test func escapesAsSerdeAndPythonDo() {
        var json = PrettyJSONWriter()
        json.string("q\"b\\ \u{08}\u{0C}\n\r\t\u{01}\u{1F}\u{7F} é\u{301} ▁😀")
        #expect(json.bytes == Array(#""q\"b\\ \b\f\n\r\t\u0001\u001f"#.utf8) + [0x7F] + Array(" é\u{301} ▁😀\"".utf8))
    }

    @Test func writesAScalarDocumentWithoutNewline() {
        var json = PrettyJSONWriter()
        json.integer(42)
        #expect(json.bytes == Array("42".utf8))
    }
}
