/// Rendering a conversation as transformers' `apply_chat_template(...,
/// tokenize=False)` does (transformers/utils/chat_template_utils.py and
/// tokenization_utils_base.py): message keys whose value is None are
/// dropped, a message's reasoning is also given as `thinking` and
/// `reasoning_content`, and `tools` and `documents` are passed even when
/// absent, as None, so `tools is defined` holds and `tools is none` too.
extension ChatTemplate {
    /// The names a message's reasoning may come under; the first present one is used.
    private static let reasoningFields = ["reasoning_content", "thinking", "reasoning"]

    /// Renders `messages` with `bos_token` and `eos_token` (left undefined
    /// when nil, as for a tokenizer without one), `add_generation_prompt`,
    /// `tools`, `documents` and any further variables (`enable_thinking`, ...).
    public func render(
        messages: [TemplateValue], tools: [TemplateValue]? = nil, documents: [TemplateValue]? = nil,
        bosToken: String?, eosToken: String?, addGenerationPrompt: Bool,
        variables extra: [String: TemplateValue] = [:], time: TemplateTime? = nil
    ) throws(ChatTemplateError) -> String {
        var variables = extra
        var normalized: [TemplateValue] = []
        for (index, message) in messages.enumerated() {
            guard case .object(let members) = message else {
                throw ChatTemplateError(
                    origin: origin, line: 0, column: 0,
                    problem: "message \(index) is \(message.typeName), not a dict of role and content")
            }
            normalized.append(.object(Self.normalized(members)))
        }
        variables["messages"] = .array(normalized)
        variables["tools"] = tools.map { .array($0) } ?? TemplateValue.none
        variables["documents"] = documents.map { .array($0) } ?? TemplateValue.none
        variables["add_generation_prompt"] = .bool(addGenerationPrompt)
        if let bosToken { variables["bos_token"] = .string(bosToken) }
        if let eosToken { variables["eos_token"] = .string(eosToken) }
        return try render(variables, time: time)
    }

    /// transformers' `_normalize_chat_messages` then `_alias_reasoning_fields`:
    /// `{"thinking": r, **message, "reasoning_content": r}`.
    static func normalized(_ message: [(key: String, value: TemplateValue)]) -> [(key: String, value: TemplateValue)] {
        let kept = message.filter { $0.value != .none }
        guard let reasoning = reasoningFields.lazy.compactMap({ field in kept.first { $0.key == field }?.value }).first
        else { return kept }
        var aliased: [(key: String, value: TemplateValue)] = [(key: "thinking", value: reasoning)]
        for member in kept { aliased.set(member.key, member.value) }
        aliased.set("reasoning_content", reasoning)
        return aliased
    }
}
