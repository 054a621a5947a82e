import Base
/// One thing `smelt verify` found wrong.
public struct VerificationProblem: Sendable, Equatable {
    public let file: String
    public let tensor: String?
    public let problem: String

    public init(file: String, tensor: String? = nil, problem: String) {
        self.file = file
        self.tensor = tensor
        self.problem = problem
    }

    public var description: String {
        tensor.map { "\(file): tensor \"\($0)\": \(problem)" } ?? "\(file): \(problem)"
    }
}

/// What `smelt verify` checked and found.
public struct VerificationReport: Sendable {
    public var path: String
    /// Digests computed for each safetensors file that could be opened.
    public var files: [FileDigests] = []
    /// Tensors whose bytes matched a stored digest (header or manifest).
    public var tensorsVerified: Int { verifiedTensorNames.count }
    /// Tensors that had no stored digest to compare with.
    public var tensorsWithoutDigest: Int {
        max(0, files.reduce(0) { $0 + $1.tensors.count } - tensorsVerified - tensorsMismatched)
    }
    var verifiedTensorNames = Set<String>()
    var tensorsMismatched = 0
    /// Whether a smelt-manifest.json was found and checked.
    public var manifestChecked = false
    /// Whether any shard header carries `xxh3:` digests.
    var headerDigestsFound = false
    /// Whether the checkpoint stores digests at all (in its headers or a
    /// manifest). A checkpoint written by another tool has none, so only its
    /// structure could be checked.
    public var hasStoredDigests: Bool { headerDigestsFound || manifestChecked }
    /// Inputs re-checked with `--inputs`, and those no longer present.
    public var inputsChecked = 0
    public var inputsMissing = 0
    /// Files of a Hugging Face cache snapshot whose SHA-256 was compared
    /// with their blob name, and those named by a git object id instead.
    public var hubFilesChecked = 0
    public var hubFilesNotCheckable = 0
    public var problems: [VerificationProblem] = []

    public var isClean: Bool { problems.isEmpty }

    mutating func report(_ file: String, _ tensor: String? = nil, _ problem: String) {
        problems.append(VerificationProblem(file: file, tensor: tensor, problem: problem))
    }
}
