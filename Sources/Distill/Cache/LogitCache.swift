import Base
import Synchronization

/// A published logit cache, opened for reading: its manifest and its index,
/// with each record's block read and decoded on demand.
public final class LogitCache {
    public let path: String
    public let manifest: LogitCacheManifest
    /// Every record's entry, in ordinal order.
    public let entries: [LogitCacheEntry]
    private let recordsPath: String
    /// The reader of `records.smsp`. It reads into buffers of its own, so
    /// threads take turns.
    private let records: Mutex<SpillReader>

    /// Opens the cache folder `path`: reads its manifest and index (every
    /// index block checked). `verify` checks the record blocks too.
    public init(path: String) throws {
        self.path = path
        manifest = try LogitCacheManifest(folder: path)
        let indexPath = path + "/" + LogitCacheWriter.indexName
        var entries: [LogitCacheEntry] = []
        do {
            try SpillReader(path: indexPath).forEachPayload { offset, payload in
                let place = "\(indexPath) block at byte \(offset)"
                guard payload.count >= 4 else {
                    throw LogitCacheFolderError.damaged(place: place, problem: "too short")
                }
                var cursor = 4
                let count = Int(UInt32(littleEndian: payload.loadUnaligned(as: UInt32.self)))
                for _ in 0..<count {
                    entries.append(try LogitCacheEntry.read(payload, cursor: &cursor, withOffset: true, place: place))
                }
                guard cursor == payload.count else {
                    throw LogitCacheFolderError.damaged(place: place, problem: "bytes left after its entries")
                }
            }
        } catch let error as SpillError {
            throw LogitCacheFolderError.damaged(place: indexPath, problem: "\(error)")
        }
        guard entries.count == manifest.recordCount else {
            throw LogitCacheFolderError.damaged(
                place: indexPath, problem: "\(entries.count) records listed, the manifest says \(manifest.recordCount)")
        }
        self.entries = entries
        recordsPath = path + "/" + LogitCacheWriter.recordsName
        records = Mutex(try SpillReader(path: recordsPath))
    }

    /// The entry and the raw block payload (head and codec bytes) of record `index`.
    public func payload(at index: Int) throws -> [UInt8] {
        do {
            let offset = entries[index].offset
            return try records.withLock { reader throws -> [UInt8] in try reader.payload(at: offset) }
        } catch let error as SpillError {
            throw LogitCacheFolderError.damaged(place: recordsPath, problem: "\(error)")
        }
    }

    /// What one record of a cache holds: top-K lists or sampled draws.
    public enum Targets: Sendable {
        case topK(CachedRecord)
        case sampled(SampledRecord<Float>)
    }

    /// Record `index` of the index, decoded, whichever its kind.
    public func targets(at index: Int) throws -> Targets {
        let vocabularySize = manifest.identity.vocabularySize
        return try withCodecBytes(at: index) { (bytes) throws(LogitCacheError) -> Targets in
            if manifest.identity.sampling != nil {
                return .sampled(try LogitCodec.decodeSampled(bytes, vocabularySize: vocabularySize))
            }
            return .topK(try LogitCodec.decode(bytes, vocabularySize: vocabularySize))
        }
    }

    /// Record `index` of a top-K cache, decoded.
    public func record(at index: Int) throws -> CachedRecord {
        let vocabularySize = manifest.identity.vocabularySize
        return try withCodecBytes(at: index) { (bytes) throws(LogitCacheError) in
            try LogitCodec.decode(bytes, vocabularySize: vocabularySize)
        }
    }

    /// `body` with the codec bytes of record `index`, after its head is
    /// checked against the index.
    private func withCodecBytes<T>(
        at index: Int, _ body: (UnsafeRawBufferPointer) throws(LogitCacheError) -> T
    ) throws -> T {
        let bytes = try payload(at: index)
        let place = "\(recordsPath) block at byte \(entries[index].offset)"
        return try bytes.withUnsafeBytes { raw in
            var cursor = 0
            let head = try LogitCacheEntry.read(raw, cursor: &cursor, withOffset: false, place: place)
            var expected = entries[index]
            expected.offset = 0
            guard head == expected else {
                throw LogitCacheFolderError.damaged(place: place, problem: "holds another record than the index says")
            }
            return try body(UnsafeRawBufferPointer(rebasing: raw[cursor...]))
        }
    }

    /// Every problem of the folder, each naming its file (and offset): file
    /// sizes and digests against the manifest, every block of both files,
    /// the index against the blocks, and every record's payload. Empty
    /// when the cache is sound.
    public static func verify(path: String) -> [String] {
        let manifest: LogitCacheManifest
        do { manifest = try LogitCacheManifest(folder: path) } catch { return ["\(error)"] }
        var problems: [String] = []
        for file in manifest.files {
            let filePath = path + "/" + file.name
            guard let (size, digest) = try? RangeDigester.digest(ofFile: filePath) else {
                problems.append("\(filePath): missing or unreadable")
                continue
            }
            if size != file.size { problems.append("\(filePath): \(size) bytes, the manifest says \(file.size)") }
            if digest != file.digest {
                problems.append("\(filePath): XXH3-64 \(XXH3.hex(digest)), the manifest says \(XXH3.hex(file.digest))")
            }
        }
        var blockOffsets: [UInt64] = []
        do {
            let reader = try SpillReader(path: path + "/" + LogitCacheWriter.recordsName)
            for block in try reader.blocks() { blockOffsets.append(block.offset) }
        } catch {
            problems.append("\(error)")
        }
        let cache: LogitCache
        do { cache = try LogitCache(path: path) } catch { return problems + ["\(error)"] }
        if cache.entries.map(\.offset) != blockOffsets && !blockOffsets.isEmpty {
            problems.append(
                "\(path)/\(LogitCacheWriter.indexName): its offsets are not the blocks of "
                    + LogitCacheWriter.recordsName
            )
        }
        for index in cache.entries.indices {
            do { _ = try cache.targets(at: index) } catch {
                problems.append("\(error)")
                break
            }
        }
        return problems
    }
}

// @unchecked: every stored property is set once in init and only read
// after; record reads take turns on the reader's Mutex.
extension LogitCache: @unchecked Sendable {}
