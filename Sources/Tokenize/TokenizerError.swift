import Base

/// Why a tokenizer file, or a text given to it, cannot be used. Each case
/// names the file and the place in it (a JSON path such as
/// `pre_tokenizer.pretokenizers[1]`), so a refusal can be acted on.
public struct TokenizerError: SmeltError, Equatable {
    /// The file the tokenizer came from, as the user named it.
    public let file: String
    /// Where in the file: a JSON path, or empty for the whole file.
    public let place: String
    /// What is wrong, in words.
    public let problem: String

    public init(file: String, place: String, problem: String) {
        self.file = file
        self.place = place
        self.problem = problem
    }

    public var exitCode: ExitCode { .dataError }

    public var description: String {
        place.isEmpty ? "\(file): \(problem)" : "\(file): \(place): \(problem)"
    }
}
