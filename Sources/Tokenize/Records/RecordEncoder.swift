import Base

/// A record's tokens, with the loss mask of chat and prompt/completion
/// records and the text that was encoded.
public struct RecordEncoding: Sendable {
    public var encoding: Encoding
    /// Whether each token counts in the loss: tokens overlapping assistant
    /// content or the completion; nil for text records (every position counts).
    public var lossMask: [Bool]?
    /// The text the tokenizer saw (a chat's rendering, prompt + completion).
    public var text: String
    /// The ranges of Unicode scalars of `text` that the loss covers.
    public var lossSpans: [Range<Int>]
    /// Where each piece of the record's own content lies in `text`, the
    /// same pieces in the same order for every model's rendering: the
    /// whole text; the prompt and the completion; each message's content
    /// (nil for an empty one, or one the template did not render verbatim).
    public var contentSpans: [Range<Int>?]

    public init(
        encoding: Encoding, lossMask: [Bool]?, text: String, lossSpans: [Range<Int>], contentSpans: [Range<Int>?]? = nil
    ) {
        self.encoding = encoding
        self.lossMask = lossMask
        self.text = text
        self.lossSpans = lossSpans
        self.contentSpans = contentSpans ?? lossSpans.map { $0 }
    }
}

/// Turns data records into tokens the way training sees them: text with the
/// post-processor's special tokens, chats through the model's chat template
/// (encoded without added special tokens, as transformers'
/// `apply_chat_template` does), prompt + completion as one text.
public struct RecordEncoder: Sendable {
    public let tokenizer: Tokenizer
    public let config: TokenizerConfig
    public let chatTemplate: ChatTemplate?
    /// Where the tokenizer came from, for the error a chat record gets when
    /// there is no template.
    public let origin: String

    public init(tokenizer: Tokenizer, config: TokenizerConfig, chatTemplate: ChatTemplate?, origin: String) {
        self.tokenizer = tokenizer
        self.config = config
        self.chatTemplate = chatTemplate
        self.origin = origin
    }

    public func encode(
        _ record: DataRecord, addSpecialTokens: Bool = true, workspace: TokenizerWorkspace? = nil
    ) throws -> RecordEncoding {
        switch record.content {
        case .text(let text):
            let encoding = tokenizer.encode(text, addSpecialTokens: addSpecialTokens, workspace: workspace)
            return RecordEncoding(
                encoding: encoding, lossMask: nil, text: text, lossSpans: [0..<text.unicodeScalars.count])
        case .promptCompletion(let prompt, let completion):
            let text = prompt + completion
            let encoding = tokenizer.encode(text, addSpecialTokens: addSpecialTokens, workspace: workspace)
            let start = prompt.unicodeScalars.count
            let span = start..<start + completion.unicodeScalars.count
            return RecordEncoding(
                encoding: encoding, lossMask: Self.mask(encoding, [span]), text: text, lossSpans: [span],
                contentSpans: [0..<start, span])
        case .messages(let messages):
            guard let chatTemplate else {
                throw ChatRecordError(file: record.file, line: record.line, origin: origin)
            }
            let text = try chatTemplate.render(
                messages: messages.map { TemplateValue(json: $0.object) }, bosToken: config.bosToken,
                eosToken: config.eosToken, addGenerationPrompt: false)
            let pieces = try Self.contentSpans(of: messages, in: text, file: record.file, line: record.line)
            let spans = zip(messages, pieces).compactMap { $0.role == "assistant" ? $1 : nil }
            let encoding = tokenizer.encode(text, addSpecialTokens: false, workspace: workspace)
            return RecordEncoding(
                encoding: encoding, lossMask: Self.mask(encoding, spans), text: text, lossSpans: spans,
                contentSpans: pieces)
        }
    }

    /// Each message's content located in the rendering, in order, each
    /// searched for after the previous message's content; nil for an empty
    /// content or one not rendered verbatim (an error for an assistant's).
    static func contentSpans(
        of messages: [DataRecord.ChatMessage], in text: String, file: String, line: Int
    ) throws(DataRecordError) -> [Range<Int>?] {
        let scalars = Array(text.unicodeScalars)
        var spans: [Range<Int>?] = []
        var cursor = 0
        for message in messages {
            let needle = Array(message.content.unicodeScalars)
            guard !needle.isEmpty else {
                spans.append(nil)
                continue
            }
            guard let start = Self.find(needle, in: scalars, from: cursor) else {
                if message.role == "assistant" {
                    throw DataRecordError(
                        file: file, line: line,
                        problem: "the rendered chat does not contain an assistant message's content verbatim")
                }
                spans.append(nil)
                continue
            }
            spans.append(start..<start + needle.count)
            cursor = start + needle.count
        }
        return spans
    }

    private static func find(_ needle: [Unicode.Scalar], in haystack: [Unicode.Scalar], from start: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0] && haystack[index..<index + needle.count].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Tokens whose offsets overlap a span (tokens the post-processor added
    /// have empty offsets and never do).
    static func mask(_ encoding: Encoding, _ spans: [Range<Int>]) -> [Bool] {
        encoding.offsets.map { offsets in spans.contains { $0.overlaps(offsets) } }
    }
}

/// A chat record for a tokenizer without a chat template.
public struct ChatRecordError: SmeltError {
    public let file: String
    public let line: Int
    public let origin: String
    public var exitCode: ExitCode { .dataError }
    public var description: String {
        "\(file):\(line): a chat record (\"messages\") needs a chat template, and \(origin) has none"
    }
    public var hint: String? {
        "give one with --chat-template FILE (a Jinja file), or use text or prompt/completion records"
    }
}
