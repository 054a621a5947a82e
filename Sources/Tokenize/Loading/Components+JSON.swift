extension TextPattern {
    /// `{"String": …}` or `{"Regex": …}`.
    init(json field: JSONField) throws(TokenizerError) {
        let members = try field.members()
        guard members.count == 1, let member = members.first else {
            throw field.error("a pattern is an object with one member, \"String\" or \"Regex\"")
        }
        let value = JSONField(file: field.file, path: "\(field.path).\(member.key)", value: member.node.value)
        switch member.key {
        case "String": self = .literal(Array(try value.string().unicodeScalars))
        case "Regex": self = .regex(try TokenPattern(json: value))
        default: throw field.error("unknown pattern kind \"\(member.key)\" (String or Regex)")
        }
    }
}

extension TokenPattern {
    /// Compiles a regex from the file, naming the place when it cannot.
    init(json field: JSONField) throws(TokenizerError) {
        let pattern = try field.string()
        do {
            try self.init(pattern)
        } catch {
            throw field.error("bad regular expression at character \(error.offset): \(error.problem)")
        }
    }
}

extension Normalizer {
    init(json field: JSONField) throws(TokenizerError) {
        let type = try field.typeName()
        switch type {
        case "NFC", "NFD", "NFKC", "NFKD":
            try field.refuseUnknownMembers([], component: type)
            let forms: [String: UnicodeForm] = ["NFC": .nfc, "NFD": .nfd, "NFKC": .nfkc, "NFKD": .nfkd]
            self = .unicode(forms[type]!)  // checked: one of the four keys
        case "Lowercase":
            try field.refuseUnknownMembers([], component: type)
            self = .lowercase
        case "Strip":
            try field.refuseUnknownMembers(["strip_left", "strip_right"], component: type)
            self = .strip(
                left: try field.bool("strip_left", default: true), right: try field.bool("strip_right", default: true))
        case "Replace":
            try field.refuseUnknownMembers(["pattern", "content"], component: type)
            self = .replace(
                try TextPattern(json: field.required("pattern")),
                with: Array(try field.required("content").string().unicodeScalars))
        case "Prepend":
            try field.refuseUnknownMembers(["prepend"], component: type)
            self = .prepend(Array(try field.required("prepend").string().unicodeScalars))
        case "BertNormalizer":
            try field.refuseUnknownMembers(
                ["clean_text", "handle_chinese_chars", "strip_accents", "lowercase"], component: type)
            let lowercase = try field.bool("lowercase", default: true)
            self = .bert(
                cleanText: try field.bool("clean_text", default: true),
                handleChineseCharacters: try field.bool("handle_chinese_chars", default: true),
                stripAccents: try field.optionalNonNull("strip_accents")?.bool() ?? lowercase, lowercase: lowercase)
        case "Sequence":
            try field.refuseUnknownMembers(["normalizers"], component: type)
            var steps: [Normalizer] = []
            for element in try field.required("normalizers").elements() { steps.append(try Normalizer(json: element)) }
            self = .sequence(steps)
        default:
            throw field.error("normalizer \"\(type)\" is not supported")
        }
    }
}

extension PreTokenizer {
    init(json field: JSONField) throws(TokenizerError) {
        let type = try field.typeName()
        switch type {
        case "ByteLevel":
            try field.refuseUnknownMembers(["add_prefix_space", "trim_offsets", "use_regex"], component: type)
            let regex = try field.bool("use_regex", default: true) ? PreTokenizer.gpt2Pattern : nil
            self = .byteLevel(addPrefixSpace: try field.bool("add_prefix_space", default: true), regex: regex)
        case "Split":
            try field.refuseUnknownMembers(["pattern", "behavior", "invert"], component: type)
            self = .split(
                try TextPattern(json: field.required("pattern")), try SplitBehavior(json: field.required("behavior")),
                invert: try field.bool("invert", default: false))
        case "Metaspace":
            try field.refuseUnknownMembers(
                ["replacement", "prepend_scheme", "split", "add_prefix_space", "str_rep"], component: type)
            self = .metaspace(
                replacement: try Self.replacement(field), prependScheme: try Self.prependScheme(field),
                split: try field.bool("split", default: true))
        case "Digits":
            try field.refuseUnknownMembers(["individual_digits"], component: type)
            self = .digits(individual: try field.bool("individual_digits", default: false))
        case "Punctuation":
            try field.refuseUnknownMembers(["behavior"], component: type)
            self = .punctuation(
                try field.optionalNonNull("behavior").map { (f) throws(TokenizerError) in try SplitBehavior(json: f) }
                    ?? .isolated)
        case "Whitespace":
            try field.refuseUnknownMembers([], component: type)
            self = .whitespace
        case "WhitespaceSplit":
            try field.refuseUnknownMembers([], component: type)
            self = .whitespaceSplit
        case "BertPreTokenizer":
            try field.refuseUnknownMembers([], component: type)
            self = .bert
        case "Sequence":
            try field.refuseUnknownMembers(["pretokenizers"], component: type)
            var steps: [PreTokenizer] = []
            for element in try field.required("pretokenizers").elements() {
                steps.append(try PreTokenizer(json: element))
            }
            self = .sequence(steps)
        default:
            throw field.error("pre-tokenizer \"\(type)\" is not supported")
        }
    }

    /// Metaspace's replacement character (one scalar).
    static func replacement(_ field: JSONField) throws(TokenizerError) -> Unicode.Scalar {
        let text = try field.string("replacement", default: "\u{2581}")
        guard text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first else {
            throw field.error("Metaspace replacement must be one character, not \(quoted(text))")
        }
        return scalar
    }

    /// `prepend_scheme`, or the older `add_prefix_space` flag.
    static func prependScheme(_ field: JSONField) throws(TokenizerError) -> PrependScheme {
        if let scheme = try field.optionalNonNull("prepend_scheme") {
            let text = try scheme.string()
            guard let value = PrependScheme(rawValue: text) else {
                throw scheme.error("prepend_scheme must be always, first or never, not \(quoted(text))")
            }
            return value
        }
        return try field.bool("add_prefix_space", default: true) ? .always : .never
    }
}

extension SplitBehavior {
    init(json field: JSONField) throws(TokenizerError) {
        let text = try field.string()
        guard let behavior = SplitBehavior(rawValue: text) else {
            throw field.error("unknown split behavior \(quoted(text))")
        }
        self = behavior
    }
}
