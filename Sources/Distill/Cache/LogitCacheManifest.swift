import Base

/// `smelt-cache.json`, the manifest of a logit cache: its identity, the
/// shard it is (absent for a whole cache), its counts, and each file's size
/// and XXH3-64. Rendered deterministically: a function of the identity and
/// the files, so a joined cache's manifest is a single run's.
public struct LogitCacheManifest: Equatable, Sendable {
    public static let fileName = "smelt-cache.json"
    static let format = "smelt-logit-cache"
    static let formatVersion = 1

    /// Records whose ordinal is `index` mod `count`.
    public struct Shard: Equatable, Sendable {
        public let index: Int
        public let count: Int

        public init(index: Int, count: Int) {
            self.index = index
            self.count = count
        }

        public func contains(ordinal: Int) -> Bool { ordinal % count == index }
    }

    public struct File: Equatable, Sendable {
        public let name: String
        public let size: UInt64
        public let digest: UInt64
    }

    public var identity: LogitCacheIdentity
    public var shard: Shard?
    public var recordCount: Int
    public var tokenCount: Int
    public var lossTokenCount: Int
    public var files: [File]

    public func rendered() -> [UInt8] {
        var members: [(String, JSONOutput)] = [
            ("format", .string(Self.format)), ("format_version", .integer(Int64(Self.formatVersion))),
            ("identity", identity.json),
        ]
        if let shard {
            members.append(
                ("shard", .object([("index", .integer(Int64(shard.index))), ("count", .integer(Int64(shard.count)))])))
        }
        members += [
            ("records", .integer(Int64(recordCount))), ("tokens", .integer(Int64(tokenCount))),
            ("loss_tokens", .integer(Int64(lossTokenCount))),
            (
                "files",
                .array(
                    files.map {
                        .object([
                            ("name", .string($0.name)), ("size", .unsigned($0.size)),
                            ("xxh3", .string(XXH3.hex($0.digest))),
                        ])
                    })
            ),
        ]
        return Array((JSONOutput.object(members).rendered(pretty: true) + "\n").utf8)
    }

    public init(
        identity: LogitCacheIdentity, shard: Shard?, recordCount: Int, tokenCount: Int, lossTokenCount: Int,
        files: [File]
    ) {
        self.identity = identity
        self.shard = shard
        self.recordCount = recordCount
        self.tokenCount = tokenCount
        self.lossTokenCount = lossTokenCount
        self.files = files
    }

    /// Reads the manifest of the cache folder `folder`.
    public init(folder: String) throws {
        let path = folder + "/" + Self.fileName
        guard try FileSystem.status(path)?.isRegularFile == true else {
            throw LogitCacheFolderError.damaged(place: folder, problem: "not a logit cache: it has no \(Self.fileName)")
        }
        let bytes = try FileSystem.readSmallFile(path, limit: 64 << 20)
        let root: JSONNode
        do {
            root = try bytes.withUnsafeBytes { try JSONScanner.parse($0) }
        } catch {
            throw LogitCacheFolderError.damaged(place: path, problem: "not JSON: \(error)")
        }
        let fields = ManifestFields(root, place: path)
        guard try fields.string("format") == Self.format, try fields.integer("format_version") == Self.formatVersion
        else {
            throw LogitCacheFolderError.damaged(place: path, problem: "not a version \(Self.formatVersion) logit cache")
        }
        identity = try LogitCacheIdentity(json: try fields.node("identity"), place: path)
        if fields.has("shard") {
            let shard = try fields.object("shard")
            let index = try shard.integer("index"), count = try shard.integer("count")
            guard count >= 1 && index < count else {
                throw LogitCacheFolderError.damaged(place: path, problem: "shard \(index)/\(count) is impossible")
            }
            self.shard = Shard(index: index, count: count)
        }
        recordCount = try fields.integer("records")
        tokenCount = try fields.integer("tokens")
        lossTokenCount = try fields.integer("loss_tokens")
        files = try fields.array("files").map { (file) throws(LogitCacheFolderError) in
            File(name: try file.string("name"), size: UInt64(try file.integer("size")), digest: try file.digest("xxh3"))
        }
    }
}
