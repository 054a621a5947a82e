import Base
import Testing
@testable import Merge

/// One input `YAMLDocument.parse` must refuse, where, and why.
struct BadYAMLCase: CustomTestStringConvertible, Sendable {
    let rule: String
    let bytes: [UInt8]
    /// 1-based line and column, or nil for whole-file problems.
    let mark: YAMLMark?
    let problemContains: String

    var testDescription: String { rule }

    init(_ rule: String, _ text: String, at mark: (Int, Int)?, _ problemContains: String) {
        self.init(rule, bytes: Array(text.utf8), at: mark, problemContains)
    }

    init(_ rule: String, bytes: [UInt8], at mark: (Int, Int)?, _ problemContains: String) {
        self.rule = rule
        self.bytes = bytes
        self.mark = mark.map { YAMLMark(line: $0.0, column: $0.1) }
        self.problemContains = problemContains
    }
}

private let billionLaughs = """
    a: &a [x, x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
    """

let badYAMLCases: [BadYAMLCase] = [
    .init("empty input", "", at: nil, "the recipe is empty"),
    .init("only comments", "# a recipe\n\n  # nothing else\n", at: nil, "the recipe is empty"),
    .init("over 1 MiB", bytes: Array(repeating: UInt8(ascii: "#"), count: (1 << 20) + 1), at: nil, "limited to 1 MiB"),
    .init("invalid leading UTF-8 byte", bytes: Array("a: ".utf8) + [0xFF, 0x0A], at: (1, 4), "invalid leading UTF-8 octet (byte 0xFF)"),
    .init("truncated UTF-8 sequence", bytes: Array("a: 1\nb: caf".utf8) + [0xC3, 0x0A], at: (2, 8), "invalid trailing UTF-8 octet"),
    .init("control character", "a: \u{07}\n", at: (1, 4), "control characters are not allowed (U+0007)"),
    .init("UTF-16 byte order mark", bytes: [0xFF, 0xFE, 0x61, 0x00], at: (1, 1), "UTF-16"),
    .init("unterminated quote", "a: 'open\n", at: (2, 1), "found unexpected end of stream"),
    .init("value indented under a scalar", "x: 1\n  y: 2\n", at: (2, 4), "mapping values are not allowed in this context"),
    .init("tab indentation", "a:\n\tb: 1\n", at: (2, 1), "found character that cannot start any token"),
    .init("list item in a mapping", "a: b\n- c\n", at: (2, 1), "did not find expected key (while parsing a block mapping started at 1:1)"),
    .init("unclosed flow list", "a: [1, 2\n", at: (2, 1), "did not find expected ',' or ']'"),
    .init("unknown escape", "a: \"\\q\"\n", at: (1, 5), "found unknown escape character"),
    .init("second document", "a: 1\n---\nb: 2\n", at: (2, 1), "a second YAML document"),
    .init("second document after an end marker", "a: 1\n...\n---\nb: 2\n", at: (3, 1), "a second YAML document"),
    .init("content after an end marker", "a: 1\n...\nb: 2\n", at: (3, 1), "did not find expected <document start>"),
    .init("empty second document", "a: 1\n---\n", at: (2, 1), "a second YAML document"),
    .init("flow list as a key", "[a, b]: 1\n", at: (1, 1), "a mapping key must be a scalar, not a list"),
    .init("explicit mapping key", "x: 1\n? {a: 1}\n: 2\n", at: (2, 3), "a mapping key must be a scalar, not a mapping"),
    .init("alias to a list as a key", "a: &l [1]\n*l : 2\n", at: (2, 1), "a mapping key must be a scalar, not a list"),
    .init("duplicate top-level key", "a: 1\nb: 2\na: 3\n", at: (3, 1), "duplicate key 'a' (first at 1:1)"),
    .init("duplicate nested key", "m:\n  x: 1\n  'x': 2\n", at: (3, 3), "duplicate key 'x' (first at 2:3)"),
    .init("nesting depth 65", String(repeating: "[", count: 65) + String(repeating: "]", count: 65), at: (1, 65), "deeper than 64"),
    .init("alias nesting past the depth limit",
          "a: &d [[[[1]]]]\nb: " + String(repeating: "[", count: 61) + "*d" + String(repeating: "]", count: 61),
          at: (2, 65), "alias *d nests lists and mappings deeper than 64"),
    .init("undefined alias", "a: *nope\n", at: (1, 4), "undefined alias *nope"),
    .init("recursive alias", "a: &x [1, *x]\n", at: (1, 11), "refers to the node at 1:4 that contains it"),
    .init("anchor defined twice", "a: &x 1\nb: &x 2\n", at: (2, 4), "anchor &x is defined twice (first at 1:4)"),
    .init("billion laughs", billionLaughs, at: (5, 36), "aliases expand to more than 100000 nodes"),
    .init("merge key", "base: &b {x: 1}\nm:\n  <<: *b\n", at: (3, 3), "merge keys (<<) are not supported"),
    .init("binary tag", "a: !!binary aGVsbG8=\n", at: (1, 4), "tag !!binary is not supported"),
    .init("local tag", "a: !custom 1\n", at: (1, 4), "tag !custom is not supported"),
    .init("tag on a mapping", "a: !!map {b: 1}\n", at: (1, 4), "tag !!map is not supported on a mapping"),
    .init("tag on a list", "a: !!seq [1]\n", at: (1, 4), "tag !!seq is not supported on a list"),
    .init("!!int on a fraction", "a: !!int 1.5\n", at: (1, 4), "'1.5' is not a valid !!int"),
    .init("!!float on a word", "a: !!float abc\n", at: (1, 4), "'abc' is not a valid !!float"),
    .init("!!bool on a word", "a: !!bool maybe\n", at: (1, 4), "'maybe' is not a valid !!bool"),
    .init("!!null on text", "a: !!null x\n", at: (1, 4), "'x' is not a valid !!null"),
    .init("hex integer without digits", "a: 0x_\n", at: (1, 4), "PyYAML cannot read it"),
]

@Suite struct YAMLDocumentTests {
    private func parse(_ text: String) throws(YAMLError) -> YAMLNode {
        try YAMLDocument.parse(Array(text.utf8), file: "recipe.yaml")
    }

    @Test(arguments: badYAMLCases)
    func refusesBadInput(_ testCase: BadYAMLCase) {
        do {
            _ = try YAMLDocument.parse(testCase.bytes, file: "recipe.yaml")
            Issue.record("accepted \(testCase.rule)")
        } catch {
            #expect(error.file == "recipe.yaml")
            #expect(error.mark == testCase.mark, "\(error)")
            #expect(error.problem.contains(testCase.problemContains), "\(error)")
        }
    }

    @Test func acceptsInputOfExactlyOneMebibyte() throws {
        let prefix = Array("a: ".utf8)
        let bytes = prefix + Array(repeating: UInt8(ascii: "x"), count: YAMLDocument.maximumByteCount - prefix.count)
        let root = try YAMLDocument.parse(bytes, file: "big.yaml")
        #expect(root.value(forKey: "a")?.stringValue?.utf8.count == YAMLDocument.maximumByteCount - prefix.count)
    }

    @Test func acceptsNestingAtTheDepthLimit() throws {
        let depth = YAMLDocument.maximumDepth
        var node = try parse(String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth))
        for _ in 1..<depth { node = try #require(node.sequence?.first) }
        #expect(node.sequence?.first?.numberValue == 1)
    }

    @Test func describesErrorsAsFileLineColumn() {
        #expect(YAMLError(file: "r.yaml", mark: YAMLMark(line: 3, column: 7), problem: "bad").description == "r.yaml:3:7: bad")
        #expect(YAMLError(file: "r.yaml", mark: nil, problem: "the recipe is empty").description == "r.yaml: the recipe is empty")
    }

    @Test func readsARealisticMergekitRecipe() throws {
        let root = try parse("""
            # TIES over two fine-tunes, with shared settings by anchor.
            merge_method: ties
            base_model: mistralai/Mistral-7B-v0.1
            models:
              - model: mistralai/Mistral-7B-v0.1
              - model: org/fine-tune-a
                parameters:
                  density: &density 0.5
                  weight:
                    - filter: mlp
                      value: [0.1, 0.3, 0.7]
                    - value: 0.5
              - model: org/fine-tune-b
                parameters: {density: *density, weight: 1e-1}
            parameters:
              normalize: true
              int8_mask: yes
            dtype: bfloat16
            slices:
              - sources:
                  - {model: org/fine-tune-a, layer_range: [0, 16]}
                  - model: org/fine-tune-b
                    layer_range: &range [16, 32]
              - sources: [{model: org/fine-tune-c, layer_range: *range}]
            tokenizer_source: ~
            """)
        #expect(root.mapping?.map(\.key) == ["merge_method", "base_model", "models", "parameters", "dtype", "slices", "tokenizer_source"])
        #expect(root.value(forKey: "merge_method")?.stringValue == "ties")
        let models = try #require(root.value(forKey: "models")?.sequence)
        #expect(models.count == 3)
        #expect(models[0].value(forKey: "parameters") == nil)
        let parametersA = try #require(models[1].value(forKey: "parameters"))
        #expect(parametersA.value(forKey: "density")?.numberValue == 0.5)
        let weights = try #require(parametersA.value(forKey: "weight")?.sequence)
        #expect(weights[0].value(forKey: "filter")?.stringValue == "mlp")
        #expect(weights[0].value(forKey: "value")?.sequence?.compactMap(\.numberValue) == [0.1, 0.3, 0.7])
        #expect(weights[1].value(forKey: "value")?.numberValue == 0.5)
        let parametersB = try #require(models[2].value(forKey: "parameters"))
        #expect(parametersB.value(forKey: "density")?.numberValue == 0.5)
        #expect(parametersB.value(forKey: "density")?.mark == YAMLMark(line: 14, column: 27))
        #expect(parametersB.value(forKey: "weight")?.numberValue == 0.1)
        #expect(root.value(forKey: "parameters")?.value(forKey: "normalize")?.boolValue == true)
        #expect(root.value(forKey: "parameters")?.value(forKey: "int8_mask")?.boolValue == true)
        let slices = try #require(root.value(forKey: "slices")?.sequence)
        let ranges = slices.flatMap { $0.value(forKey: "sources")?.sequence ?? [] }
            .map { $0.value(forKey: "layer_range")?.sequence?.compactMap(\.numberValue) }
        #expect(ranges == [[0, 16], [16, 32], [16, 32]])
        #expect(root.value(forKey: "tokenizer_source")?.isNull == true)
    }

    /// A plain scalar and how PyYAML's safe_load (plus pydantic's float
    /// coercion) reads it.
    enum Reading: Sendable, Equatable { case null, bool(Bool), number(Double), nan, string }

    private static func reading(of node: YAMLNode) -> Reading {
        if node.isNull { return .null }
        if let flag = node.boolValue { return .bool(flag) }
        if let number = node.numberValue { return number.isNaN ? .nan : .number(number) }
        return .string
    }

    @Test(arguments: [
        ("0.5", Reading.number(0.5)), ("1e-5", .number(1e-5)), ("1.0e5", .number(1e5)), ("1.0e+5", .number(1e5)),
        ("2E3", .number(2000)), ("+1", .number(1)), ("-0.5", .number(-0.5)), (".5", .number(0.5)), ("-.5", .number(-0.5)),
        ("1.", .number(1)), ("1_000", .number(1000)), ("1_000.5", .number(1000.5)), ("12_", .number(12)),
        (".inf", .number(.infinity)), ("-.inf", .number(-.infinity)), ("+.Inf", .number(.infinity)), (".NaN", .nan),
        ("-.nan", .string), ("0", .number(0)), ("-0", .number(0)), ("0x1F", .number(31)), ("-0x10", .number(-16)),
        ("0b101", .number(5)), ("010", .number(8)), ("007", .number(7)), ("0_", .number(0)), ("08", .string),
        ("0o17", .string), ("1:30", .number(90)), ("1:30.5", .number(90.5)), ("1:60", .string),
        ("yes", .bool(true)), ("No", .bool(false)), ("ON", .bool(true)), ("off", .bool(false)), ("True", .bool(true)),
        ("FALSE", .bool(false)), ("tRUE", .string), ("y", .string), ("n", .string),
        ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("nULL", .string), ("", .null),
        ("2024-01-01", .string), ("mistralai/Mistral-7B-v0.1", .string), ("1e", .string), ("e5", .string),
    ])
    func typesPlainScalarsLikePyYAML(_ text: String, _ expected: Reading) throws {
        let node = try #require(try parse("v: \(text)\n").value(forKey: "v"))
        #expect(Self.reading(of: node) == expected)
        #expect(node.stringValue == text)
    }

    @Test func quotedAndBlockScalarsStayStrings() throws {
        let root = try parse("a: \"0.5\"\nb: 'true'\nc: ''\nd: |\n  1\ne: >\n  null\n")
        for entry in try #require(root.mapping) {
            #expect(Self.reading(of: entry.value) == .string, "\(entry.key)")
            #expect(entry.value.describeKind() == "a string")
        }
        #expect(root.value(forKey: "a")?.stringValue == "0.5")
        #expect(root.value(forKey: "d")?.stringValue == "1\n")
        let styles = try #require(root.mapping).map { entry -> YAMLScalarStyle? in
            if case .scalar(_, let style) = entry.value.value { return style } else { return nil }
        }
        #expect(styles == [.quoted, .quoted, .quoted, .block, .block])
    }

    @Test func honoursCoreTags() throws {
        let root = try parse("""
            a: !!str 5
            b: !!int "0x10"
            c: !!float "1"
            d: !!float 010
            e: !!bool "yEs"
            f: !!null ""
            g: !<tag:yaml.org,2002:float> 2.5e1
            """)
        let readings = try #require(root.mapping).map { Self.reading(of: $0.value) }
        #expect(readings == [.string, .number(16), .number(1), .number(10), .bool(true), .null, .number(25)])
    }

    @Test func describesNodeKindsForMessages() throws {
        let root = try parse("n: 1\ns: x\nb: off\nz: ~\nl: []\nm: {}\n")
        #expect(try #require(root.mapping).map { $0.value.describeKind() }
            == ["a number", "a string", "a boolean", "null", "a list", "a mapping"])
        #expect(root.describeKind() == "a mapping")
    }

    @Test func keepsMappingEntriesInDocumentOrder() throws {
        let keys = ["zeta", "alpha", "mid", "beta", "a"]
        let root = try parse(keys.enumerated().map { "\($0.element): \($0.offset)" }.joined(separator: "\n"))
        #expect(root.mapping?.map(\.key) == keys)
        #expect(root.mapping?.compactMap(\.value.numberValue) == [0, 1, 2, 3, 4])
    }

    @Test func marksAreOneBasedAndCountCharactersNotBytes() throws {
        let root = try parse("\u{FEFF}# comment\nname: x\n\"é\": [1,  2]\n")
        #expect(root.mark == YAMLMark(line: 2, column: 1))
        let entries = try #require(root.mapping)
        #expect(entries[0].keyMark == YAMLMark(line: 2, column: 1))
        #expect(entries[0].value.mark == YAMLMark(line: 2, column: 7))
        #expect(entries[1].keyMark == YAMLMark(line: 3, column: 1))
        #expect(entries[1].value.sequence?.map(\.mark) == [YAMLMark(line: 3, column: 7), YAMLMark(line: 3, column: 11)])
    }

    @Test func aliasNodeTakesTheAliasPositionAndKeepsInnerPositions() throws {
        let root = try parse("a: &p {w: 1}\nb: *p\n")
        let alias = try #require(root.value(forKey: "b"))
        #expect(alias.mark == YAMLMark(line: 2, column: 4))
        #expect(alias.value(forKey: "w")?.mark == YAMLMark(line: 1, column: 11))
        #expect(alias.value(forKey: "w")?.numberValue == 1)
    }

    @Test func acceptsAliasesBelowTheExpansionCap() throws {
        // Four levels of the billion-laughs pattern expand to 12,330 nodes.
        let text = billionLaughs.split(separator: "\n").prefix(4).joined(separator: "\n")
        let root = try parse(text)
        #expect(root.value(forKey: "d")?.sequence?.count == 10)
    }

    @Test func acceptsAnAliasedKeyAndQuotedMergeKey() throws {
        let root = try parse("k: &k name\n*k : 1\n\"<<\": 2\n")
        #expect(root.mapping?.map(\.key) == ["k", "name", "<<"])
    }
}
