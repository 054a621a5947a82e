/// A `tokenizer.json` post-processor: adds the special tokens around one
/// sequence or a pair and sets type ids (the library's post-processors).
indirect enum PostProcessor: Sendable {
    case template(single: [TemplatePiece], pair: [TemplatePiece], specialTokens: [String: SpecialTokenIDs])
    case byteLevel(trimOffsets: Bool, addPrefixSpace: Bool)
    case roberta(separator: SpecialToken, classifier: SpecialToken, trimOffsets: Bool, addPrefixSpace: Bool)
    case bert(separator: SpecialToken, classifier: SpecialToken)
    case sequence([PostProcessor])

    /// One token a processor adds: its string and id.
    struct SpecialToken: Sendable {
        var token: String
        var id: Int32
    }

    /// What a TemplateProcessing special token expands to.
    struct SpecialTokenIDs: Sendable {
        var ids: [Int32]
        var tokens: [String]
    }

    /// One element of a template.
    enum TemplatePiece: Sendable {
        /// The first (A) or second (B) sequence.
        case sequence(isFirst: Bool, typeID: UInt32)
        case specialToken(String, typeID: UInt32)
    }

    /// The library's `process_encodings`: the encodings of one sequence or a
    /// pair, rewritten; the caller concatenates them.
    func process(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        switch self {
        case .sequence(let processors):
            return processors.reduce(encodings) { $1.process($0, addSpecialTokens: addSpecialTokens) }
        case .byteLevel(let trimOffsets, let addPrefixSpace):
            guard trimOffsets else { return encodings }
            return encodings.map { encoding in
                var trimmed = encoding
                trimmed.trimByteLevelOffsets(addPrefixSpace: addPrefixSpace)
                return trimmed
            }
        case .template(let single, let pair, let specialTokens):
            let template = encodings.count == 1 ? single : pair
            var result: [Encoding] = []
            for piece in template {
                switch piece {
                case .sequence(let isFirst, let typeID):
                    let index = isFirst ? 0 : 1
                    guard index < encodings.count else { continue }
                    var encoding = encodings[index]
                    encoding.typeIDs = Array(repeating: typeID, count: encoding.count)
                    result.append(encoding)
                case .specialToken(let name, let typeID):
                    guard addSpecialTokens, let special = specialTokens[name] else { continue }
                    result.append(Self.specials(special.ids, special.tokens, typeID: typeID))
                }
            }
            return result
        case .roberta(let separator, let classifier, let trimOffsets, let addPrefixSpace):
            var encodings = encodings
            if trimOffsets {
                for index in encodings.indices { encodings[index].trimByteLevelOffsets(addPrefixSpace: addPrefixSpace) }
            }
            // RoBERTa has no token types: the second sequence gets 0 too.
            for index in encodings.indices.dropFirst() {
                encodings[index].typeIDs = Array(repeating: 0, count: encodings[index].count)
            }
            guard addSpecialTokens else { return encodings }
            return Self.wrapped(
                encodings, separator: separator, classifier: classifier, pairTypeID: 0, doubleSeparator: true)
        case .bert(let separator, let classifier):
            guard addSpecialTokens else { return encodings }
            return Self.wrapped(
                encodings, separator: separator, classifier: classifier, pairTypeID: 1, doubleSeparator: false)
        }
    }

    /// `cls A sep` and `(sep) B sep`, as Roberta and Bert write them.
    private static func wrapped(
        _ encodings: [Encoding], separator: SpecialToken, classifier: SpecialToken, pairTypeID: UInt32,
        doubleSeparator: Bool
    ) -> [Encoding] {
        var first = specials([classifier.id], [classifier.token], typeID: 0)
        first.append(contentsOf: encodings[0])
        first.append(id: separator.id, token: separator.token, offsets: 0..<0, special: true)
        guard encodings.count > 1 else { return [first] }
        var second = Encoding()
        if doubleSeparator {
            second.append(id: separator.id, token: separator.token, offsets: 0..<0, typeID: pairTypeID, special: true)
        }
        var pair = encodings[1]
        pair.typeIDs = Array(repeating: pairTypeID, count: pair.count)
        second.append(contentsOf: pair)
        second.append(id: separator.id, token: separator.token, offsets: 0..<0, typeID: pairTypeID, special: true)
        return [first, second]
    }

    private static func specials(_ ids: [Int32], _ tokens: [String], typeID: UInt32) -> Encoding {
        var encoding = Encoding()
        for (id, token) in zip(ids, tokens) {
            encoding.append(id: id, token: token, offsets: 0..<0, typeID: typeID, special: true)
        }
        return encoding
    }
}
