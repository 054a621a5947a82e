import Base
import TestSupport

@testable import Tokenize

/// The committed reference renderings of Fixtures/tokenize/chat (see its
/// README): real templates, conversations, and what transformers rendered.
struct ChatTemplateReference {
    struct Template {
        let name: String
        let source: String
        let bosToken: String?
        let eosToken: String?
        let variables: [String: TemplateValue]
    }

    struct Conversation {
        let messages: [TemplateValue]
        let tools: TemplateValue?
    }

    struct Rendering {
        let template: String
        let conversation: String
        let addGenerationPrompt: Bool
        /// transformers' text, or nil where it raised `error`.
        let rendered: String?
        let error: String?
    }

    /// The time tools/make_chat_template_references.py gives `strftime_now`.
    static let fixedTime = TemplateTime(year: 2024, month: 7, day: 26, hour: 9, minute: 5, second: 3)

    let templates: [String: Template]
    let conversations: [String: Conversation]
    let renderings: [Rendering]

    static let shared: ChatTemplateReference = {
        do {
            return try ChatTemplateReference()
        } catch {
            fatalError("cannot read Fixtures/tokenize/chat: \(error)")  // checked: committed fixtures, test-only
        }
    }()

    static func lines(_ path: String) throws -> [JSONValue] {
        let bytes = try TestFiles.read(TestFiles.fixture(path))
        return try bytes.split(separator: UInt8(ascii: "\n")).map { try JSONScanner.parse(Array($0)).value }
    }

    private init() throws {
        var templates: [String: Template] = [:]
        let index = try JSONScanner.parse(try TestFiles.read(TestFiles.fixture("tokenize/chat/templates.json")))
        guard case .array(let entries) = index.value else { throw TemplateFixtureError.malformed("templates.json") }
        for entry in entries {
            let value = TemplateValue(json: entry.value)
            guard case .string(let name)? = value.member("name"), case .string(let file)? = value.member("file"),
                case .object(let variables)? = value.member("variables")
            else { throw TemplateFixtureError.malformed("templates.json") }
            let source = String(decoding: try TestFiles.read(TestFiles.fixture("tokenize/chat/" + file)), as: UTF8.self)
            var bos: String?
            var eos: String?
            if case .string(let token)? = value.member("bos_token") { bos = token }
            if case .string(let token)? = value.member("eos_token") { eos = token }
            templates[name] = Template(
                name: name, source: source, bosToken: bos, eosToken: eos,
                variables: Dictionary(variables.map { ($0.key, $0.value) }) { a, _ in a })
        }
        var conversations: [String: Conversation] = [:]
        for line in try Self.lines("tokenize/chat/conversations.jsonl") {
            let value = TemplateValue(json: line)
            guard case .string(let name)? = value.member("name"), case .array(let messages)? = value.member("messages")
            else { throw TemplateFixtureError.malformed("conversations.jsonl") }
            conversations[name] = Conversation(messages: messages, tools: value.member("tools"))
        }
        var renderings: [Rendering] = []
        for line in try Self.lines("tokenize/chat/expected.jsonl") {
            let value = TemplateValue(json: line)
            guard case .string(let template)? = value.member("template"),
                case .string(let conversation)? = value.member("conversation"),
                case .bool(let generation)? = value.member("add_generation_prompt")
            else { throw TemplateFixtureError.malformed("expected.jsonl") }
            var rendered: String?
            var error: String?
            if case .string(let text)? = value.member("rendered") { rendered = text }
            if case .string(let text)? = value.member("error") { error = text }
            renderings.append(
                Rendering(
                    template: template, conversation: conversation, addGenerationPrompt: generation,
                    rendered: rendered, error: error))
        }
        self.templates = templates
        self.conversations = conversations
        self.renderings = renderings
    }

    /// Renders one reference case through the conversation API, as transformers' apply_chat_template.
    func render(_ rendering: Rendering, with template: ChatTemplate) throws(ChatTemplateError) -> String {
        let entry = templates[rendering.template]
        let conversation = conversations[rendering.conversation]
        return try template.render(
            messages: conversation?.messages ?? [], tools: conversation?.tools?.sequenceItems,
            bosToken: entry?.bosToken, eosToken: entry?.eosToken, addGenerationPrompt: rendering.addGenerationPrompt,
            variables: entry?.variables ?? [:], time: Self.fixedTime)
    }
}

enum TemplateFixtureError: Error {
    case malformed(String)
}
