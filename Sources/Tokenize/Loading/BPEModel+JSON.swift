extension BPEModel {
    /// The `model` object of a BPE tokenizer.json.
    init(json field: JSONField, rawMerges: MergeListScanner? = nil) throws(TokenizerError) {
        try field.refuseUnknownMembers(
            [
                "dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk", "byte_fallback",
                "ignore_merges", "vocab", "merges",
            ], component: "BPE")
        if let dropout = try field.optionalNonNull("dropout"), try dropout.double() != 0 {
            throw dropout.error("BPE dropout is random; Smelt encodes deterministically and refuses it")
        }
        let entries = try Vocabulary.entries(field.required("vocab"))
        let vocabulary = try Vocabulary(entries, field: field.required("vocab"))
        let prefix = try field.optionalNonNull("continuing_subword_prefix")?.string()
        let suffix = try field.optionalNonNull("end_of_word_suffix")?.string()
        let merges = try Self.merges(field.required("merges"), raw: rawMerges, vocabulary, prefix: prefix ?? "")
        var scalarIDs = ScalarIDs()
        for entry in entries {
            let scalars = entry.token.unicodeScalars
            if scalars.count == 1, let scalar = scalars.first { scalarIDs[scalar] = entry.id }
        }
        var byteIDs: [Int32]?
        if try field.bool("byte_fallback", default: false) {
            byteIDs = (0..<256).map { byte in vocabulary.id(of: ByteToken.name(UInt8(byte))) ?? -1 }
        }
        var unknownID: Int32?
        if let unknown = try field.optionalNonNull("unk_token") {
            let token = try unknown.string()
            guard let id = vocabulary.id(of: token) else {
                throw unknown.error("\(quoted(token)) is not in the vocabulary")
            }
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
    /// in the library's map. `raw` is the merges' bytes when the file was
    /// read by `MergeListScanner` (the JSON value is then a blank array).
    private static func merges(
        _ field: JSONField, raw: MergeListScanner?, _ vocabulary: Vocabulary, prefix: String
    ) throws(TokenizerError) -> PairTable {
        var table = PairTable(minimumCapacity: 1_024)
        var joined: [UInt8] = []
        let prefixBytes = Array(prefix.utf8)
        func add(_ rank: Int, _ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) throws(TokenizerError) {
            let place = raw.map { _ in "model.merges" } ?? field.path
            func unknown(_ bytes: some Collection<UInt8>, _ what: String) -> TokenizerError {
                TokenizerError(
                    file: field.file, place: place,
                    problem: "merge \(rank) \(what) \(quoted(String(decoding: bytes, as: UTF8.self)))")
            }
            guard let leftID = vocabulary.id(of: left) else { throw unknown(left, "names unknown token") }
            guard let rightID = vocabulary.id(of: right) else { throw unknown(right, "names unknown token") }
            // The join is looked up by its bytes: no string is made per merge.
            joined.removeAll(keepingCapacity: true)
            joined.append(contentsOf: left)
            joined.append(contentsOf: right.starts(with: prefixBytes) ? right.dropFirst(prefixBytes.count) : right[...])
            guard let joinedID = joined.withUnsafeBytes({ vocabulary.id(of: $0) }) else {
                throw TokenizerError(
                    file: field.file, place: place,
                    problem:
                        "merge \(rank) makes \(quoted(String(decoding: joined, as: UTF8.self))), "
                        + "which is not in the vocabulary"
                )
            }
            table.set(pairKey(leftID, rightID), UInt64(rank) << 32 | UInt64(UInt32(bitPattern: joinedID)))
        }
        if var scanner = raw {
            try scanner.forEach(add)
            return table
        }
        guard case .array(let nodes) = field.value else { throw field.error("expected an array of merges") }
        table = PairTable(minimumCapacity: nodes.count)
        for (rank, node) in nodes.enumerated() {
            var left: String
            var right: String
            switch node.value {
            case .string(let text):
                // Split on the byte: a space before a combining mark is one Character.
                let parts = text.utf8.split(separator: 0x20, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw field.error("merge \(rank) \(quoted(text)) is not two tokens") }
                left = String(decoding: parts[0], as: UTF8.self)
                right = String(decoding: parts[1], as: UTF8.self)
            case .array(let pair):
                guard pair.count == 2, case .string(let first) = pair[0].value, case .string(let second) = pair[1].value
                else {
                    throw field.error("merge \(rank) is not a pair of strings")
                }
                left = first
                right = second
            default:
                throw field.error("merge \(rank) is \(node.value.kindDescription), not a string or a pair")
            }
            let result = left.withUTF8 { leftBytes in
                right.withUTF8 { rightBytes in
                    Result { () throws(TokenizerError) in
                        try add(rank, UnsafeRawBufferPointer(leftBytes), UnsafeRawBufferPointer(rightBytes))
                    }
                }
            }
            try result.get()
        }
        return table
    }
}

/// SentencePiece's byte tokens, `<0x00>` ... `<0xFF>`.
enum ByteToken {
    static func name(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"
    }
}
