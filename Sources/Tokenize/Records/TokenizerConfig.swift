import Base

/// What `tokenizer_config.json` adds to tokenizer.json for chat records:
/// the bos and eos token strings and the chat template (transformers reads
/// the template from `chat_template.jinja` first, then from this file).
public struct TokenizerConfig: Sendable {
    public var bosToken: String?
    public var eosToken: String?
    /// The template's source, if the config has one (the "default" one of a
    /// named list).
    public var chatTemplate: String?

    public init(bosToken: String? = nil, eosToken: String? = nil, chatTemplate: String? = nil) {
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.chatTemplate = chatTemplate
    }

    /// Reads the bytes of a tokenizer_config.json; `file` names it in errors.
    public init(json bytes: [UInt8], file: String) throws(TokenizerError) {
        let top = try JSONField.document(bytes, file: file)
        bosToken = try Self.tokenString(top.optionalNonNull("bos_token"))
        eosToken = try Self.tokenString(top.optionalNonNull("eos_token"))
        guard let template = try top.optionalNonNull("chat_template") else { return }
        if case .string(let source) = template.value {
            chatTemplate = source
            return
        }
        for element in try template.elements() where try element.required("name").string() == "default" {
            chatTemplate = try element.required("template").string()
        }
        if chatTemplate == nil { throw template.error("a list of chat templates needs one named \"default\"") }
    }

    /// A token written as a string or as an added-token object.
    private static func tokenString(_ field: JSONField?) throws(TokenizerError) -> String? {
        guard let field else { return nil }
        if case .string(let text) = field.value { return text }
        return try field.required("content").string()
    }
}
