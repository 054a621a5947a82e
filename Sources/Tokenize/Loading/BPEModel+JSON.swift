extension BPEModel {
    /// The `model` object of a BPE tokenizer.json.
    init(json field: JSONField) throws(TokenizerError) {
        try field.refuseUnknownMembers(
            ["dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk", "byte_fallback",
                "ignore_merges", "vocab", "merges"], component: "BPE")
        if let dropout = try field.optionalNonNull("dropout"), try dropout.double() != 0 {
            throw dropout.error("BPE dropout is random; Smelt encodes deterministically and refuses it")
        }
        let vocabularyField = try field.required("vocab")
        var entries: [(token: String, id: Int32)] = []
        let members = try vocabularyField.members()
        entries.reserveCapacity(members.count)
        for member in members {
            guard case .unsignedInteger(let id) = member.node.value, id <= UInt64(Int32.max) else {
                throw vocabularyField.error("the id of \(quoted(member.key)) is not an integer from 0 to \(Int32.max)")
            }
            entries.append((member.key, Int32(id)))
        }
        let vocabulary = try Vocabulary(entries, field: vocabularyField)
        let prefix = try field.optionalNonNull("continuing_subword_prefix")?.string()
        let suffix = try field.optionalNonNull("end_of_word_suffix")?.string()
        let merges = try Self.merges(field.required("merges"), vocabulary, prefix: prefix ?? "")
        var scalarIDs: [UInt32: Int32] = [:]
        for entry in entries {
            let scalars = entry.token.unicodeScalars
            if scalars.count == 1, let scalar = scalars.first { scalarIDs[scalar.value] = entry.id }
        }
        var byteIDs: [Int32]?
        if try field.bool("byte_fallback", default: false) {
            byteIDs = (0..<256).map { byte in vocabulary.id(of: ByteToken.name(UInt8(byte))) ?? -1 }
        }
        var unknownID: Int32?
        if let unknown = try field.optionalNonNull("unk_token") {
            let token = try unknown.string()
            guard let id = vocabulary.id(of: token) else { throw unknown.error("\(quoted(token)) is not in the vocabulary") }
            unknownID = id
        }
        self.init(
            vocabulary: vocabulary, merges: merges, scalarIDs: scalarIDs, byteIDs: byteIDs, unknownID: unknownID,
            fusesUnknown: try field.bool("fuse_unk", default: false),
            ignoresMerges: try field.bool("ignore_merges", default: false),
            continuingSubwordPrefix: prefix, endOfWordSuffix: suffix)
    }

    /// Merges as `"a b"` strings or `["a", "b"]` pairs; rank = position.
    /// Both halves and their join must be tokens; a later duplicate wins, as
    /// in the library's map.
    private static func merges(
        _ field: JSONField, _ vocabulary: Vocabulary, prefix: String
    ) throws(TokenizerError) -> PairTable {
        guard case .array(let nodes) = field.value else { throw field.error("expected an array of merges") }
        var merges = PairTable(minimumCapacity: nodes.count)
        var joined: [UInt8] = []
        for (rank, node) in nodes.enumerated() {
            let left: String
            let right: String
            switch node.value {
            case .string(let text):
                // Split on the byte: a space before a combining mark is one Character.
                let parts = text.utf8.split(separator: 0x20, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw field.error("merge \(rank) \(quoted(text)) is not two tokens") }
                left = String(decoding: parts[0], as: UTF8.self)
                right = String(decoding: parts[1], as: UTF8.self)
            case .array(let pair):
                guard pair.count == 2, case .string(let first) = pair[0].value, case .string(let second) = pair[1].value else {
                    throw field.error("merge \(rank) is not a pair of strings")
                }
                left = first
                right = second
            default:
                throw field.error("merge \(rank) is \(node.value.kindDescription), not a string or a pair")
            }
            guard let leftID = vocabulary.id(of: left) else { throw field.error("merge \(rank) names unknown token \(quoted(left))") }
            guard let rightID = vocabulary.id(of: right) else {
                throw field.error("merge \(rank) names unknown token \(quoted(right))")
            }
            // The join is looked up by its bytes: no string is made per merge.
            joined.removeAll(keepingCapacity: true)
            joined.append(contentsOf: left.utf8)
            let rightBytes = right.utf8
            let prefixBytes = prefix.utf8
            joined.append(contentsOf: rightBytes.starts(with: prefixBytes) ? rightBytes.dropFirst(prefixBytes.count) : rightBytes[...])
            guard let joinedID = joined.withUnsafeBytes({ vocabulary.id(of: $0) }) else {
                let text = String(decoding: joined, as: UTF8.self)
                throw field.error("merge \(rank) makes \(quoted(text)), which is not in the vocabulary")
            }
            merges.set(pairKey(leftID, rightID), UInt64(rank) << 32 | UInt64(UInt32(bitPattern: joinedID)))
        }
        return merges
    }
}

/// SentencePiece's byte tokens, `<0x00>` ... `<0xFF>`.
enum ByteToken {
    static func name(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"
    }
}
