import Base

/// Tokenizer metadata of a GGUF file that Smelt cannot turn into
/// `tokenizer.json` (65). The metadata does not know its file, so the
/// message names the key; a caller that knows the file adds it with
/// `naming(file:)`.
public struct GGUFTokenizerError: SmeltError, Equatable, Sendable {
    /// What is wrong.
    public let problem: Problem
    /// The GGUF file, once a caller has said which it is.
    public private(set) var file: String?

    /// An error for `problem`.
    public init(_ problem: Problem) {
        self.problem = problem
    }

    /// The same error, its message starting with `file`.
    public func naming(file: String) -> GGUFTokenizerError {
        var named = self
        named.file = file
        return named
    }

    /// Malformed input data (65).
    public var exitCode: ExitCode { .dataError }

    /// One line: the file if known, "GGUF tokenizer metadata: " and the problem.
    public var description: String { (file.map { "\($0): " } ?? "") + "GGUF tokenizer metadata: \(problem.text)" }

    /// What is wrong with the `tokenizer.*` metadata.
    public enum Problem: Equatable, Sendable {
        case missingKey(String, reason: String)
        case wrongType(key: String, expected: String, found: String)
        case unknownModel(String)
        case emptyVocabulary
        case countMismatch(key: String, count: Int, tokenCount: Int)
        case tokenIdOutOfRange(key: String, id: Int, tokenCount: Int)
        case duplicateToken(String, firstID: Int, secondID: Int)
        case malformedMerge(index: Int, merge: String)
        case mergeOutOfVocabulary(index: Int, merge: String, token: String)
        case scoreIsNaN(tokenID: Int)

        /// What is wrong, in words.
        public var text: String {
            switch self {
            case .missingKey(let key, let reason):
                "\(key) is missing (\(reason))"
            case .wrongType(let key, let expected, let found):
                "\(key) must be \(expected), found \(found)"
            case .unknownModel(let model):
                "tokenizer.ggml.model is \"\(model)\", a tokenizer Smelt cannot write yet "
                    + "(known: \(GGUFTokenizerMetadata.knownModels.joined(separator: ", ")))"
            case .emptyVocabulary:
                "tokenizer.ggml.tokens is empty"
            case .countMismatch(let key, let count, let tokenCount):
                "\(key) has \(count) entries for \(tokenCount) tokens"
            case .tokenIdOutOfRange(let key, let id, let tokenCount):
                "\(key) is \(id), not the id of one of the \(tokenCount) tokens"
            case .duplicateToken(let token, let firstID, let secondID):
                "token \(quoted(token)) appears twice (ids \(firstID) and \(secondID)); "
                    + "a tokenizer.json vocabulary holds each token once"
            case .malformedMerge(let index, let merge):
                "merge \(index) \(quoted(merge)) is not two tokens separated by one space"
            case .mergeOutOfVocabulary(let index, let merge, let token):
                "merge \(index) \(quoted(merge)) needs the token \(quoted(token)), which is not in the vocabulary"
            case .scoreIsNaN(let tokenID):
                "tokenizer.ggml.scores of token \(tokenID) is NaN"
            }
        }
    }
}

/// `text` in double quotes, with control characters escaped so that the
/// message stays one line.
private func quoted(_ text: String) -> String {
    JSONOutput.quoted(text)
}
