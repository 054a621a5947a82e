import Base
#if canImport(Glibc)
import Glibc
#endif

/// The planner target's input: a recipe and up to three model folders,
/// `m0`, `m1` and `m2`, in one byte string that is easy to mutate.
///
///     recipe YAML
///     ----
///     m0's safetensors header JSON
///     ====
///     m0's config.json
///     ----
///     m1's safetensors header JSON
///     ----
///     m2's safetensors header JSON
///
/// Parts are split on the lines `----`; m2's part runs to the end (a
/// further `----` is part of it). An empty model part means no folder (a
/// missing model). Within a model part, the first line `====` splits the
/// header from config.json: without it the folder has no config.json; an
/// empty header means no model.safetensors. The header is written as a whole file: its length as
/// a u64 little-endian, the JSON, then as many zero bytes as the largest
/// `data_offsets` value in it asks for (at most `maximumDataBytes`).
struct PlannerInput {
    struct Model {
        let header: ArraySlice<UInt8>
        let config: ArraySlice<UInt8>?
    }

    static let modelSeparator = Array("\n----\n".utf8)
    static let configSeparator = Array("\n====\n".utf8)
    static let modelNames = ["m0", "m1", "m2"]
    /// The data section's cap: no input makes the harness write more.
    static let maximumDataBytes: UInt64 = 4 << 20

    let recipe: [UInt8]
    /// One entry per model folder name; nil: no folder.
    let models: [Model?]

    init(_ bytes: [UInt8]) {
        let parts = Self.split(bytes[...], on: Self.modelSeparator, maximumParts: Self.modelNames.count + 1)
        recipe = Array(parts[0])
        models = Self.modelNames.indices.map { index in
            guard index + 1 < parts.count, !parts[index + 1].isEmpty else { return nil }
            let halves = Self.split(parts[index + 1], on: Self.configSeparator, maximumParts: 2)
            return Model(header: halves[0], config: halves.count > 1 ? halves[1] : nil)
        }
    }

    /// Writes the model folders into the current directory, which holds
    /// nothing else.
    func writeModels() throws(SystemError) {
        for (name, model) in zip(Self.modelNames, models) {
            guard let model else { continue }
            try FileSystem.createDirectory(name)
            if !model.header.isEmpty {
                let file = try OpenFile.creating(name + "/model.safetensors")
                var prefix = UInt64(model.header.count).littleEndian
                let bytes = withUnsafeBytes(of: &prefix) { Array($0) } + model.header
                try Self.write(bytes, to: file)
                // ftruncate: the zero data section costs no writing.
                try file.truncate(to: UInt64(bytes.count) + Self.dataByteCount(header: model.header))
            }
            if let config = model.config {
                let file = try OpenFile.creating(name + "/config.json")
                try Self.write(Array(config), to: file)
            }
        }
    }

    private static func write(_ bytes: [UInt8], to file: OpenFile) throws(SystemError) {
        try bytes.withUnsafeBytes { buffer in Result { () throws(SystemError) in try file.write(buffer, at: 0) } }.get()
    }

    /// The largest `data_offsets` value in the header JSON (0 when it does
    /// not parse), capped, so that a well-formed header tiles its file.
    static func dataByteCount(header: ArraySlice<UInt8>) -> UInt64 {
        guard let root = try? JSONScanner.parse(Array(header)), case .object(let entries) = root.value else { return 0 }
        var largest: UInt64 = 0
        for (_, entry) in entries {
            guard case .object(let fields) = entry.value else { continue }
            for (key, field) in fields where key == "data_offsets" {
                guard case .array(let offsets) = field.value else { continue }
                for case .unsignedInteger(let offset) in offsets.map(\.value) { largest = max(largest, offset) }
            }
        }
        return min(largest, maximumDataBytes)
    }

    /// `bytes` split at each `separator`, into at most `maximumParts` parts
    /// (the last keeps any further separators).
    static func split(_ bytes: ArraySlice<UInt8>, on separator: [UInt8], maximumParts: Int) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while parts.count < maximumParts - 1, index + separator.count <= bytes.endIndex {
            if bytes[index..<(index + separator.count)].elementsEqual(separator) {
                parts.append(bytes[start..<index])
                index += separator.count
                start = index
            } else {
                index += 1
            }
        }
        parts.append(bytes[start...])
        return parts
    }
}

/// The one scratch folder of this process, the current directory while
/// fuzzing, so that the recipe's relative paths `m0`, `m1`, `m2` resolve.
enum PlannerScratch {
    static let prefix = "smelt-fuzz-planner-"

    /// Created and entered on first use; removed when the process exits.
    /// Folders of processes that are gone (a crash skips `atexit`) are
    /// removed first.
    static let path: String = {
        let parent = (try? FileSystem.status("/dev/shm"))??.isDirectory == true ? "/dev/shm" : "/tmp"
        let path = "\(parent)/\(prefix)\(getpid())"
        mustSucceed("create \(path)") { () throws(SystemError) in
            for name in try FileSystem.contents(ofDirectory: parent) where name.hasPrefix(prefix) {
                guard let owner = Int32(name.dropFirst(prefix.count)) else { continue }
                if kill(owner, 0) != 0, errno == ESRCH { try? FileSystem.removeTree(parent + "/" + name) }
            }
            try FileSystem.removeTree(path)
            try FileSystem.createDirectory(path)
        }
        invariant(chdir(path) == 0, "chdir \(path): errno \(errno)")
        atexit { try? FileSystem.removeTree(PlannerScratch.path) }
        return path
    }()

    /// Empties the folder (creating and entering it on first use).
    static func reset() {
        mustSucceed("empty \(path)") { () throws(SystemError) in
            for name in try FileSystem.contents(ofDirectory: path) { try FileSystem.removeTree(path + "/" + name) }
        }
    }

    /// Whether `reference`, as the kernel will read it (up to its first
    /// NUL byte), stays inside the scratch folder: relative, without `..`.
    /// Others could reach any file on the machine, which is no test of the
    /// planner and makes runs depend on the machine.
    static func isInside(_ reference: String) -> Bool {
        let bytes = Array(reference.utf8).prefix { $0 != 0 }
        guard bytes.first != UInt8(ascii: "/") else { return false }
        let components = bytes.split(separator: UInt8(ascii: "/"))
        return !components.contains { $0.elementsEqual([0x2E, 0x2E]) }
    }
}

/// Runs a harness step that must not fail (scratch files); stops the
/// process if it does, since the input could then not be tested.
func mustSucceed(_ what: @autoclosure () -> String, _ body: () throws(SystemError) -> Void) {
    do { try body() } catch { invariant(false, "harness could not \(what()): \(error)") }
}
