extension PostProcessor {
    init(json field: JSONField) throws(TokenizerError) {
        let type = try field.typeName()
        switch type {
        case "TemplateProcessing":
            try field.refuseUnknownMembers(["single", "pair", "special_tokens"], component: type)
            var specialTokens: [String: SpecialTokenIDs] = [:]
            let specials = try field.required("special_tokens")
            for member in try specials.members() {
                let entry = JSONField(
                    file: field.file, path: "\(specials.path).\(member.key)", value: member.node.value)
                var ids: [Int32] = []
                for id in try entry.required("ids").elements() { ids.append(Int32(try id.integer())) }
                var tokens: [String] = []
                for token in try entry.required("tokens").elements() { tokens.append(try token.string()) }
                guard ids.count == tokens.count else { throw entry.error("\"ids\" and \"tokens\" differ in length") }
                specialTokens[member.key] = SpecialTokenIDs(ids: ids, tokens: tokens)
            }
            let single = try Self.template(field.required("single"), specialTokens)
            let pair = try Self.template(field.required("pair"), specialTokens)
            self = .template(single: single, pair: pair, specialTokens: specialTokens)
        case "ByteLevel":
            try field.refuseUnknownMembers(["add_prefix_space", "trim_offsets", "use_regex"], component: type)
            self = .byteLevel(
                trimOffsets: try field.bool("trim_offsets", default: true),
                addPrefixSpace: try field.bool("add_prefix_space", default: true))
        case "RobertaProcessing":
            try field.refuseUnknownMembers(["sep", "cls", "trim_offsets", "add_prefix_space"], component: type)
            self = .roberta(
                separator: try Self.specialToken(field.required("sep")),
                classifier: try Self.specialToken(field.required("cls")),
                trimOffsets: try field.bool("trim_offsets", default: true),
                addPrefixSpace: try field.bool("add_prefix_space", default: true))
        case "BertProcessing":
            try field.refuseUnknownMembers(["sep", "cls"], component: type)
            self = .bert(
                separator: try Self.specialToken(field.required("sep")),
                classifier: try Self.specialToken(field.required("cls")))
        case "Sequence":
            try field.refuseUnknownMembers(["processors"], component: type)
            var steps: [PostProcessor] = []
            for element in try field.required("processors").elements() {
                steps.append(try PostProcessor(json: element))
            }
            self = .sequence(steps)
        default:
            throw field.error("post-processor \"\(type)\" is not supported")
        }
    }

    /// `["</s>", 2]`.
    private static func specialToken(_ field: JSONField) throws(TokenizerError) -> SpecialToken {
        let elements = try field.elements()
        guard elements.count == 2 else { throw field.error("expected [token, id]") }
        return SpecialToken(token: try elements[0].string(), id: Int32(try elements[1].integer()))
    }

    /// `[{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]`.
    private static func template(
        _ field: JSONField, _ specialTokens: [String: SpecialTokenIDs]
    ) throws(TokenizerError) -> [TemplatePiece] {
        var pieces: [TemplatePiece] = []
        for element in try field.elements() {
            let members = try element.members()
            guard members.count == 1, let member = members.first else {
                throw element.error("a template piece is {\"Sequence\": …} or {\"SpecialToken\": …}")
            }
            let body = JSONField(file: field.file, path: "\(element.path).\(member.key)", value: member.node.value)
            let typeID = UInt32(try body.required("type_id").integer())
            let id = try body.required("id").string()
            switch member.key {
            case "Sequence":
                guard id == "A" || id == "B" else {
                    throw body.error("a sequence is \"A\" or \"B\", not \(quoted(id))")
                }
                pieces.append(.sequence(isFirst: id == "A", typeID: typeID))
            case "SpecialToken":
                guard specialTokens[id] != nil else { throw body.error("\(quoted(id)) is not in special_tokens") }
                pieces.append(.specialToken(id, typeID: typeID))
            default:
                throw element.error("unknown template piece \"\(member.key)\"")
            }
        }
        return pieces
    }
}

extension Decoder {
    init(json field: JSONField) throws(TokenizerError) {
        let type = try field.typeName()
        switch type {
        case "ByteLevel":
            try field.refuseUnknownMembers(["add_prefix_space", "trim_offsets", "use_regex"], component: type)
            self = .byteLevel
        case "Metaspace":
            try field.refuseUnknownMembers(
                ["replacement", "prepend_scheme", "split", "add_prefix_space", "str_rep"], component: type)
            self = .metaspace(
                replacement: try PreTokenizer.replacement(field), prependScheme: try PreTokenizer.prependScheme(field))
        case "ByteFallback":
            try field.refuseUnknownMembers([], component: type)
            self = .byteFallback
        case "Fuse":
            try field.refuseUnknownMembers([], component: type)
            self = .fuse
        case "Strip":
            try field.refuseUnknownMembers(["content", "start", "stop"], component: type)
            let content = try field.required("content").string()
            guard content.unicodeScalars.count == 1, let scalar = content.unicodeScalars.first else {
                throw field.error("Strip content must be one character, not \(quoted(content))")
            }
            self = .strip(
                content: scalar, start: try field.required("start").integer(),
                stop: try field.required("stop").integer())
        case "Replace":
            try field.refuseUnknownMembers(["pattern", "content"], component: type)
            self = .replace(
                try TextPattern(json: field.required("pattern")), with: try field.required("content").string())
        case "WordPiece":
            try field.refuseUnknownMembers(["prefix", "cleanup"], component: type)
            self = .wordPiece(
                prefix: try field.string("prefix", default: "##"), cleanup: try field.bool("cleanup", default: true))
        case "Sequence":
            try field.refuseUnknownMembers(["decoders"], component: type)
            var steps: [Decoder] = []
            for element in try field.required("decoders").elements() { steps.append(try Decoder(json: element)) }
            self = .sequence(steps)
        default:
            throw field.error("decoder \"\(type)\" is not supported")
        }
    }
}
