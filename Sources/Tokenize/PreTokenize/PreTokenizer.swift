import Base

/// A `tokenizer.json` pre-tokenizer: splits the pieces of text that are not
/// added tokens into words for the model (the library's pre-tokenizers,
/// same names and rules).
indirect enum PreTokenizer: Sendable {
    /// With the GPT-2 split when `regex` is there (`use_regex`).
    case byteLevel(addPrefixSpace: Bool, regex: TokenPattern?)
    case split(TextPattern, SplitBehavior, invert: Bool)
    case metaspace(replacement: Unicode.Scalar, prependScheme: PrependScheme, split: Bool)
    case digits(individual: Bool)
    case punctuation(SplitBehavior)
    /// Keeps the matches of `\w+|[^\w\s]+` in Rust's regex crate (not
    /// Oniguruma: its `\w` has joiners): maximal runs of word scalars and of
    /// other scalars, white space dropped.
    case whitespace
    case whitespaceSplit
    case bert
    case sequence([PreTokenizer])

    /// When Metaspace puts its replacement in front of a piece.
    enum PrependScheme: String, Sendable {
        case always, first, never
    }

    /// GPT-2's split (ByteLevel with `use_regex`).
    static let gpt2Source = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let gpt2Pattern = try! TokenPattern(gpt2Source)  // checked: a constant the tests compile

    func apply(to list: inout PieceList) {
        switch self {
        case .sequence(let steps):
            for step in steps { step.apply(to: &list) }
        case .byteLevel(let addPrefixSpace, let regex):
            if addPrefixSpace {
                list.transform { list, piece, writer in
                    if list.scalars[piece.range.lowerBound] != " " {
                        Normalizer.prepend([" "], list, piece.range, &writer)
                    } else {
                        for index in piece.range { writer.append(list.scalars[index], from: list, index: index) }
                    }
                }
            }
            if let regex {
                Self.split(&list, .regex(regex), .isolated, invert: false)
            }
            list.transform { list, piece, writer in
                for index in piece.range {
                    let scalar = list.scalars[index]
                    if scalar.isASCII {
                        writer.append(ByteLevelAlphabet.characters[Int(scalar.value)], from: list, index: index)
                    } else {
                        for byte in String(Character(scalar)).utf8 {
                            writer.append(ByteLevelAlphabet.characters[Int(byte)], from: list, index: index)
                        }
                    }
                }
            }
        case .split(let pattern, let behavior, let invert):
            Self.split(&list, pattern, behavior, invert: invert)
        case .metaspace(let replacement, let scheme, let split):
            list.transform { list, piece, writer in
                let isFirst = list.originalStart(of: piece) == 0
                let startsWithReplacement =
                    list.scalars[piece.range.lowerBound] == " "
                    || list.scalars[piece.range.lowerBound] == replacement
                if !startsWithReplacement && (scheme == .always || (scheme == .first && isFirst)) {
                    writer.append(replacement, from: list, index: piece.range.lowerBound)
                }
                for index in piece.range {
                    let scalar = list.scalars[index]
                    writer.append(scalar == " " ? replacement : scalar, from: list, index: index)
                }
            }
            if split { Self.split(&list, .literal([replacement]), .mergedWithNext, invert: false) }
        case .digits(let individual):
            Self.split(&list, .scalars(.numeric), individual ? .isolated : .contiguous, invert: false)
        case .punctuation(let behavior):
            Self.split(&list, .scalars(.punctuation), behavior, invert: false)
        case .whitespace:
            list.split { list, piece in
                var runs: [Range<Int>] = []
                var index = piece.range.lowerBound
                while index < piece.range.upperBound {
                    let scalar = list.scalars[index]
                    if scalar.properties.isWhitespace {
                        index += 1
                        continue
                    }
                    let isWord = AddedVocabulary.isWordScalar(scalar)
                    let start = index
                    while index < piece.range.upperBound, !list.scalars[index].properties.isWhitespace,
                        AddedVocabulary.isWordScalar(list.scalars[index]) == isWord
                    {
                        index += 1
                    }
                    runs.append(start..<index)
                }
                return runs
            }
        case .whitespaceSplit:
            Self.split(&list, .scalars(.whitespace), .removed, invert: false)
        case .bert:
            Self.split(&list, .scalars(.whitespace), .removed, invert: false)
            Self.split(&list, .scalars(.punctuation), .isolated, invert: false)
        }
    }

    private static func split(_ list: inout PieceList, _ pattern: TextPattern, _ behavior: SplitBehavior, invert: Bool)
    {
        list.split { list, piece in
            behavior.pieces(pattern.runs(in: list.scalars, piece.range, invert: invert))
        }
    }
}
