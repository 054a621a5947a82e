import Base
import TestSupport
import Testing

@testable import Tokenize

/// One small template per rule of jinja2 or transformers (loop variables,
/// scoping, Python formatting of values, filters, tests, whitespace
/// control, sandbox refusals), each held to what transformers' jinja2
/// environment rendered or refused (Fixtures/tokenize/chat/semantics.jsonl).
@Suite struct ChatTemplateSemanticsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let source: String
        let rendered: String?
        let error: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        do {
            return try ChatTemplateReference.lines("tokenize/chat/semantics.jsonl").map { line in
                let value = TemplateValue(json: line)
                guard case .string(let name)? = value.member("name"),
                    case .string(let source)? = value.member("template")
                else { throw TemplateFixtureError.malformed("semantics.jsonl") }
                var rendered: String?
                var error: String?
                if case .string(let text)? = value.member("rendered") { rendered = text }
                if case .string(let text)? = value.member("error") { error = text }
                return Case(name: name, source: source, rendered: rendered, error: error)
            }
        } catch {
            fatalError("cannot read semantics.jsonl: \(error)")  // checked: committed fixture, test-only
        }
    }()

    static let variables: [String: TemplateValue] = {
        do {
            let bytes = try TestFiles.read(TestFiles.fixture("tokenize/chat/semantics-variables.json"))
            guard case .object(let members) = TemplateValue(json: try JSONScanner.parse(bytes).value) else {
                throw TemplateFixtureError.malformed("semantics-variables.json")
            }
            return Dictionary(members.map { ($0.key, $0.value) }) { first, _ in first }
        } catch {
            fatalError("cannot read semantics-variables.json: \(error)")  // checked: committed fixture, test-only
        }
    }()

    @Test(arguments: cases)
    func rendersOrRefusesAsJinja(_ example: Case) throws {
        let result = Result { () throws(ChatTemplateError) in
            try ChatTemplate(source: example.source, origin: example.name).render(
                Self.variables, time: ChatTemplateReference.fixedTime)
        }
        switch (result, example.rendered) {
        case (.success(let text), let expected?):
            #expect(text == expected)
        case (.failure(let error), let expected?):
            Issue.record("refused where jinja2 renders \(expected.debugDescription): \(error)")
        case (.success(let text), nil):
            Issue.record("rendered \(text.debugDescription) where jinja2 raised \(example.error ?? "")")
        case (.failure, nil):
            break
        }
    }
}
