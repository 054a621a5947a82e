import Base

extension Tokenizer {
    /// The largest tokenizer.json read (Gemma 3's is 33 MB).
    public static let maximumFileBytes = 512 << 20

    /// Reads a tokenizer.json file.
    public init(contentsOfFile path: String) throws {
        let bytes = try FileSystem.readSmallFile(path, limit: UInt64(Self.maximumFileBytes))
        try self.init(json: bytes, file: path)
    }

    /// Builds a tokenizer from the bytes of a tokenizer.json; `file` names it
    /// in errors. Every component and setting must be one Smelt runs.
    public init(json bytes: [UInt8], file: String) throws(TokenizerError) {
        // BPE merges are read from the bytes by their own scanner; the generic
        // reader sees a blank array of the same length, so offsets still hold.
        let mergesRange = bytes.withUnsafeBytes { MergeListScanner.locateMerges(in: $0) }
        var document = bytes
        if let range = mergesRange, range.count >= 2 {
            document.replaceSubrange(
                range,
                with: [UInt8(ascii: "[")] + [UInt8](repeating: 0x20, count: range.count - 2) + [UInt8(ascii: "]")])
        }
        let top = try JSONField.document(document, file: file)
        try top.refuseUnknownTop()
        // `truncation` and `padding` are call settings, not pipeline steps:
        // transformers turns them off unless a call asks, and so does Smelt.
        let normalizer = try top.optionalNonNull("normalizer").map { (f) throws(TokenizerError) in
            try Normalizer(json: f)
        }
        let preTokenizer = try top.optionalNonNull("pre_tokenizer").map { (f) throws(TokenizerError) in
            try PreTokenizer(json: f)
        }
        let postProcessor = try top.optionalNonNull("post_processor").map { (f) throws(TokenizerError) in
            try PostProcessor(json: f)
        }
        let decoder = try top.optionalNonNull("decoder").map { (f) throws(TokenizerError) in try Decoder(json: f) }
        let modelResult = bytes.withUnsafeBytes { raw in
            Result { () throws(TokenizerError) in
                try Self.model(
                    top.required("model"),
                    rawMerges: mergesRange.map { MergeListScanner(bytes: raw, range: $0, file: file) })
            }
        }
        let model = try modelResult.get()
        let addedTokens = try Self.addedTokens(top.optional("added_tokens"), model: model)
        self.init(
            addedVocabulary: AddedVocabulary(addedTokens, normalizer: normalizer), normalizer: normalizer,
            preTokenizer: preTokenizer, model: model, postProcessor: postProcessor, decoder: decoder)
    }

    private static func model(
        _ field: JSONField, rawMerges: MergeListScanner?
    ) throws(TokenizerError) -> any TokenizerModel {
        var type = try field.optionalNonNull("type")?.string() ?? ""
        let hasMerges = try field.optional("merges") != nil
        if type.isEmpty && hasMerges { type = "BPE" }
        switch type {
        case "BPE": return try BPEModel(json: field, rawMerges: rawMerges)
        case "WordPiece": return try WordPieceModel(json: field)
        case "Unigram": return try UnigramModel(json: field)
        default: throw field.error("model \(quoted(type)) is not supported (BPE, WordPiece or Unigram)")
        }
    }

    private static func addedTokens(
        _ field: JSONField?, model: any TokenizerModel
    ) throws(TokenizerError) -> [AddedToken] {
        guard let field, !field.isNull else { return [] }
        var tokens: [AddedToken] = []
        var seenIDs: [Int32: String] = [:]
        for element in try field.elements() {
            try element.refuseUnknownMembers(
                ["id", "content", "single_word", "lstrip", "rstrip", "normalized", "special"], component: "added token")
            let id = Int32(try element.required("id").integer())
            let content = try element.required("content").string()
            guard !content.isEmpty else { throw element.error("an added token cannot be empty") }
            if let other = seenIDs[id] {
                throw element.error("id \(id) is given to both \(quoted(other)) and \(quoted(content))")
            }
            if let modelToken = model.token(of: id), !modelToken.utf8.elementsEqual(content.utf8) {
                throw element.error(
                    "id \(id) is \(quoted(content)) here but \(quoted(modelToken)) in the model's vocabulary")
            }
            seenIDs[id] = content
            let special = try element.bool("special", default: false)
            tokens.append(
                AddedToken(
                    id: id, content: content, singleWord: try element.bool("single_word", default: false),
                    leftStrip: try element.bool("lstrip", default: false),
                    rightStrip: try element.bool("rstrip", default: false),
                    normalized: try element.bool("normalized", default: !special), special: special))
        }
        return tokens
    }
}

extension JSONField {
    /// The top-level members tokenizer.json has.
    fileprivate func refuseUnknownTop() throws(TokenizerError) {
        let known: Set = [
            "version", "truncation", "padding", "added_tokens", "normalizer", "pre_tokenizer", "model",
            "post_processor",
            "decoder",
        ]
        for member in try members() where !known.contains(member.key) {
            throw error("unknown member \"\(member.key)\"")
        }
    }
}
