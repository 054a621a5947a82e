import Base

/// `tokenizer.json` and `tokenizer_config.json` as transformers (through
/// the `tokenizers` library) writes them: the same members in the same
/// order and layout, so that the bytes are equal, not only the meaning.
extension GGUFTokenizer {
    private static let metaspace = "\u{2581}"
    /// transformers' VERY_LARGE_INTEGER (`int(1e30)`), its "no limit".
    private static let unlimitedLength = "1000000000000000019884624838656"

    func tokenizerJSON() -> [UInt8] {
        // A little more than the layout takes, so the buffer is allocated once (33 MB for Gemma 3).
        let mergeBytes = merges.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 48 }
        let vocabularyBytes = vocabulary.reduce(0) { $0 + $1.utf8.count + 24 }
        let addedBytes = addedTokens.tokens.reduce(0) { $0 + $1.content.utf8.count + 224 }
        var json = PrettyJSONWriter(reservingCapacity: vocabularyBytes + mergeBytes + addedBytes + 4096)
        json.beginObject()
        json.member("version", "1.0")
        json.key("truncation")
        json.null()
        json.key("padding")
        json.null()
        json.key("added_tokens")
        json.beginArray()
        for token in addedTokens.byID {
            json.value(
                .object([
                    ("id", .integer(Int64(token.id))), ("content", .string(token.content)),
                    ("single_word", .bool(false)),
                    ("lstrip", .bool(false)), ("rstrip", .bool(false)), ("normalized", .bool(false)),
                    ("special", .bool(token.isSpecial)),
                ]))
        }
        json.endArray()
        json.key("normalizer")
        json.value(normalizer)
        json.key("pre_tokenizer")
        json.value(preTokenizer)
        json.key("post_processor")
        json.value(postProcessor)
        json.key("decoder")
        json.value(decoder)
        json.key("model")
        writeModel(into: &json)
        json.endObject()
        return json.bytes
    }

    private func writeModel(into json: inout PrettyJSONWriter) {
        let isByteLevel = shape.builder == .byteLevel
        json.beginObject()
        json.member("type", "BPE")
        json.key("dropout")
        json.null()
        json.key("unk_token")
        json.string(orNull: shape.builder == .gemma ? shape.builderDefaults[.unk] : nil)
        json.key("continuing_subword_prefix")
        json.string(orNull: isByteLevel ? "" : nil)
        json.key("end_of_word_suffix")
        json.string(orNull: isByteLevel ? "" : nil)
        json.key("fuse_unk")
        json.bool(!isByteLevel)
        json.key("byte_fallback")
        json.bool(!isByteLevel)
        json.key("ignore_merges")
        json.bool(false)
        json.key("vocab")
        json.beginObject()
        for (id, token) in vocabulary.enumerated() {
            json.key(token)
            json.integer(id)
        }
        json.endObject()
        json.key("merges")
        json.beginArray()
        for (left, right) in merges {
            json.beginArray()
            json.string(left)
            json.string(right)
            json.endArray()
        }
        json.endArray()
        json.endObject()
    }

    private var normalizer: JSONOutput {
        let replaceSpaces = Self.replace(" ", with: Self.metaspace)
        switch shape.builder {
        case .byteLevel, .sentencePiece: return .null
        case .gemma: return replaceSpaces
        case .phi3:
            return .object([
                ("type", .string("Sequence")),
                (
                    "normalizers",
                    .array([
                        .object([("type", .string("Prepend")), ("prepend", .string(Self.metaspace))]), replaceSpaces,
                    ])
                ),
            ])
        }
    }

    private var preTokenizer: JSONOutput {
        if let split = shape.split {
            return .object([
                ("type", .string("Sequence")),
                (
                    "pretokenizers",
                    .array([
                        .object([
                            ("type", .string("Split")), ("pattern", .object([("Regex", .string(split))])),
                            ("behavior", .string("Isolated")), ("invert", .bool(false)),
                        ]),
                        Self.byteLevel(addsPrefixSpace: false, usesRegex: false),
                    ])
                ),
            ])
        }
        switch shape.builder {
        case .byteLevel: return Self.byteLevel(addsPrefixSpace: false, usesRegex: true)
        case .sentencePiece:
            return .object([
                ("type", .string("Metaspace")), ("replacement", .string(Self.metaspace)),
                ("prepend_scheme", .string("first")), ("split", .bool(false)),
            ])
        case .gemma:
            return .object([
                ("type", .string("Split")), ("pattern", .object([("String", .string(" "))])),
                ("behavior", .string("MergedWithPrevious")), ("invert", .bool(false)),
            ])
        case .phi3: return .null
        }
    }

    /// TemplateProcessing as transformers' `update_post_processor` sets it.
    private var postProcessor: JSONOutput {
        func special(_ token: (token: String, id: Int)?, typeID: Int64) -> [JSONOutput] {
            guard let token else { return [] }
            return [
                .object([("SpecialToken", .object([("id", .string(token.token)), ("type_id", .integer(typeID))]))])
            ]
        }
        func sequence(_ name: String, typeID: Int64) -> JSONOutput {
            .object([("Sequence", .object([("id", .string(name)), ("type_id", .integer(typeID))]))])
        }
        let single = special(bos, typeID: 0) + [sequence("A", typeID: 0)] + special(eos, typeID: 0)
        let pair = single + special(bos, typeID: 1) + [sequence("B", typeID: 1)] + special(eos, typeID: 1)
        // One entry per distinct token, in string order (serde sorts the map's keys).
        var tokens: [ExactString: Int] = [:]
        for token in [bos, eos].compactMap({ $0 }) { tokens[ExactString(token.token)] = token.id }
        let specialTokens = tokens.sorted { $0.key.text.utf8.lexicographicallyPrecedes($1.key.text.utf8) }
            .map { key, id -> (String, JSONOutput) in
                let token = JSONOutput.string(key.text)
                return (
                    key.text,
                    .object([("id", token), ("ids", .array([.integer(Int64(id))])), ("tokens", .array([token]))])
                )
            }
        return .object([
            ("type", .string("TemplateProcessing")), ("single", .array(single)), ("pair", .array(pair)),
            ("special_tokens", .object(specialTokens)),
        ])
    }

    private var decoder: JSONOutput {
        switch shape.builder {
        case .byteLevel: return Self.byteLevel(addsPrefixSpace: true, usesRegex: true)
        case .sentencePiece, .gemma, .phi3:
            var steps: [JSONOutput] = [
                Self.replace(Self.metaspace, with: " "), .object([("type", .string("ByteFallback"))]),
                .object([("type", .string("Fuse"))]),
            ]
            if shape.builder != .gemma {
                // LlamaTokenizer prefixes a space, so it strips one when decoding.
                steps.append(
                    .object([
                        ("type", .string("Strip")), ("content", .string(" ")), ("start", .integer(1)),
                        ("stop", .integer(0)),
                    ]))
            }
            return .object([("type", .string("Sequence")), ("decoders", .array(steps))])
        }
    }

    private static func byteLevel(addsPrefixSpace: Bool, usesRegex: Bool) -> JSONOutput {
        .object([
            ("type", .string("ByteLevel")), ("add_prefix_space", .bool(addsPrefixSpace)), ("trim_offsets", .bool(true)),
            ("use_regex", .bool(usesRegex)),
        ])
    }

    private static func replace(_ pattern: String, with content: String) -> JSONOutput {
        .object([
            ("type", .string("Replace")), ("pattern", .object([("String", .string(pattern))])),
            ("content", .string(content)),
        ])
    }

    /// `tokenizer_config.json` as transformers saves it (keys sorted, two-space
    /// indent, a final newline), less the two keys that describe how the
    /// GGUF was loaded (`is_local`, `local_files_only`).
    func configJSON() -> [UInt8] {
        var members: [(String, JSONOutput)] = [
            ("backend", .string("tokenizers")), ("model_max_length", .number(Self.unlimitedLength)),
        ]
        members.append(("tokenizer_class", .string(shape.frontend.rawValue)))
        if shape.frontend == .qwen2 { members.append(("add_prefix_space", .null)) }
        for role in [GGUFTokenizerShape.Role.bos, .eos, .unk, .pad] {
            members.append((role.rawValue, specialTokens[role].map(JSONOutput.string) ?? .null))
        }
        if let mask = specialTokens[.mask] { members.append((GGUFTokenizerShape.Role.mask.rawValue, .string(mask))) }
        members.sort { $0.0 < $1.0 }
        var json = PrettyJSONWriter()
        json.value(.object(members))
        return json.bytes + [UInt8(ascii: "\n")]
    }
}
