import Base

/// One line of a JSONL data file (DESIGN.md, "Data records"): raw text,
/// a chat (`messages`), or a prompt and its completion, with an optional id.
public struct DataRecord: Sendable {
    /// What the record holds.
    public enum Content: Sendable {
        /// Special tokens as the post-processor adds them; loss everywhere.
        case text(String)
        /// Rendered with the chat template; loss on assistant content only.
        case messages([ChatMessage])
        /// Loss on the completion only.
        case promptCompletion(prompt: String, completion: String)
    }

    /// One message of a chat: its role and content, and the whole object as
    /// given (templates may read more keys, such as `tool_calls`).
    public struct ChatMessage: Sendable {
        public let role: String
        public let content: String
        public let object: JSONValue
    }

    /// The record's `id` as given, else its line number.
    public let id: JSONOutput
    /// The file it came from and its line there, from 1.
    public let file: String
    public let line: Int
    public let content: Content

    /// Reads one line; `file` and `line` name it in errors.
    public init(json bytes: UnsafeRawBufferPointer, file: String, line: Int) throws(DataRecordError) {
        self.file = file
        self.line = line
        let fail = { (problem: String) in DataRecordError(file: file, line: line, problem: problem) }
        let root: JSONNode
        do {
            root = try JSONScanner.parse(bytes, maximumDepth: 32, keyEquality: .exact)
        } catch {
            throw fail("not JSON at byte \(error.offset) of the line: \(error.message)")
        }
        guard case .object(let members) = root.value else {
            throw fail("a record is a JSON object, not \(root.value.kindDescription)")
        }
        var fields: [String: JSONValue] = [:]
        for member in members { fields[member.key] = member.node.value }
        for key in fields.keys where !["id", "text", "messages", "prompt", "completion"].contains(key) {
            throw fail(
                "unknown key \"\(key)\" (a record has text, messages, or prompt and completion, and an optional id)")
        }
        switch fields["id"] {
        case nil: id = .integer(Int64(line))
        case .string(let text)?: id = .string(text)
        case .unsignedInteger(let number)?: id = .unsigned(number)
        case let other?: throw fail("id must be a string or a non-negative integer, not \(other.kindDescription)")
        }
        let kinds = ["text", "messages", "prompt"].filter { fields[$0] != nil }
        guard kinds.count == 1 else {
            throw fail(
                kinds.isEmpty
                    ? "a record needs text, messages, or prompt and completion"
                    : "a record has one of text, messages, prompt; this one has \(kinds.joined(separator: " and "))")
        }
        func string(_ key: String) throws(DataRecordError) -> String {
            guard case .string(let text)? = fields[key] else {
                throw fail(
                    fields[key] == nil
                        ? "missing \"\(key)\""
                        : "\"\(key)\" must be a string, not \(fields[key]?.kindDescription ?? "")")
            }
            return text
        }
        switch kinds[0] {
        case "text":
            content = .text(try string("text"))
        case "prompt":
            content = .promptCompletion(prompt: try string("prompt"), completion: try string("completion"))
        default:
            guard case .array(let nodes)? = fields["messages"], !nodes.isEmpty else {
                throw fail("\"messages\" must be a non-empty list of {\"role\", \"content\"} objects")
            }
            var messages: [ChatMessage] = []
            for (index, node) in nodes.enumerated() {
                guard case .object(let pairs) = node.value,
                    case .string(let role)? = pairs.first(where: { $0.key == "role" })?.node.value,
                    case .string(let content)? = pairs.first(where: { $0.key == "content" })?.node.value
                else { throw fail("messages[\(index)] must be an object with string \"role\" and \"content\"") }
                messages.append(ChatMessage(role: role, content: content, object: node.value))
            }
            content = .messages(messages)
        }
        if case .promptCompletion = content {
        } else if fields["completion"] != nil {
            throw fail("\"completion\" goes with \"prompt\"")
        }
    }
}

/// A data line that cannot be used: file, line and what is wrong.
public struct DataRecordError: SmeltError, Equatable {
    public let file: String
    public let line: Int
    public let problem: String

    public var exitCode: ExitCode { .dataError }
    public var description: String { "\(file):\(line): \(problem)" }
}
