import Base

/// A cache read beside the data file it was made over (`smelt fuse`
/// reads teachers' caches, `smelt distill` its targets): the checks both
/// make before trusting a record of the cache to be a record of the data.
extension LogitCache {
    /// Refuses a cache with no top-K to read (sampled draws, K = 0), one
    /// shard of a cache, or a cache made over another data file than
    /// `data` (its name for messages, its size and XXH3-64).
    public func checkTopK(over data: (name: String, size: UInt64, digest: UInt64)) throws(CacheDataError) {
        if manifest.identity.sampling != nil {
            throw .unusable(cache: path, reason: "it holds sampled draws, not a top-K")
        }
        try checkTargets(over: data)
    }

    /// Refuses a cache with no targets to read (K = 0 without draws), one
    /// shard of a cache, or a cache made over another data file than
    /// `data`; unlike `checkTopK`, it takes sampled draws.
    public func checkTargets(over data: (name: String, size: UInt64, digest: UInt64)) throws(CacheDataError) {
        let identity = manifest.identity
        if identity.sampling == nil && identity.topK == 0 { throw .unusable(cache: path, reason: "its K is 0") }
        if manifest.shard != nil { throw .unusable(cache: path, reason: "it is one shard; join the shards first") }
        if identity.dataSize != data.size || identity.dataDigest != data.digest {
            throw .otherData(
                cache: path,
                reason: "\(identity.dataName), \(identity.dataSize) bytes, XXH3-64 \(XXH3.hex(identity.dataDigest)); "
                    + "the data is \(data.name), \(data.size) bytes, XXH3-64 \(XXH3.hex(data.digest))")
        }
    }

    /// Refuses a cache whose record `ordinal` is not the data's record at
    /// `line` (named `record` in messages) or holds another token count.
    public func checkEntry(ordinal: Int, line: Int, tokens: Int, record: String) throws(CacheDataError) {
        guard ordinal < entries.count, entries[ordinal].ordinal == ordinal, entries[ordinal].line == line else {
            throw .missingRecord(cache: path, record: record)
        }
        guard entries[ordinal].tokens == tokens else {
            throw .tokensDiffer(
                cache: path, record: record,
                detail: "\(entries[ordinal].tokens) tokens cached, \(tokens) from the tokenizer")
        }
    }

    /// Refuses a cache holding another number of records than the data's `count`.
    public func checkRecordCount(_ count: Int) throws(CacheDataError) {
        guard entries.count == count else {
            throw .missingRecord(cache: path, record: "count: it holds \(entries.count) records, the data \(count)")
        }
    }

    /// Record `ordinal`, decoded and refused unless its ids are `ids`.
    public func record(at ordinal: Int, expecting ids: [Int32], record name: String) throws -> CachedRecord {
        let cached = try record(at: ordinal)
        try check(cached.ids, expecting: ids, record: name)
        return cached
    }

    /// Record `ordinal`, top-K or sampled, decoded and refused unless its ids are `ids`.
    public func targets(at ordinal: Int, expecting ids: [Int32], record name: String) throws -> Targets {
        let targets = try targets(at: ordinal)
        switch targets {
        case .topK(let cached): try check(cached.ids, expecting: ids, record: name)
        case .sampled(let sampled): try check(sampled.ids, expecting: ids, record: name)
        }
        return targets
    }

    private func check(_ cachedIDs: [Int32], expecting ids: [Int32], record name: String) throws(CacheDataError) {
        guard cachedIDs == ids else {
            let position =
                zip(cachedIDs, ids).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(cachedIDs.count, ids.count)
            throw .tokensDiffer(cache: path, record: name, detail: "they differ from token \(position) on")
        }
    }
}

/// A cache that does not go with the data read beside it (sysexits 65).
public enum CacheDataError: SmeltError, Equatable, Sendable {
    /// Made over another data file.
    case otherData(cache: String, reason: String)
    /// Lacking a record of the data, or holding more.
    case missingRecord(cache: String, record: String)
    /// A record's token ids are not the tokenizer's for it.
    case tokensDiffer(cache: String, record: String, detail: String)
    /// No top-K to read: sampled draws, K = 0, or one shard.
    case unusable(cache: String, reason: String)

    public var exitCode: ExitCode { .dataError }

    public var description: String {
        switch self {
        case .otherData(let cache, let reason): "\(cache) was made over other data: \(reason)"
        case .missingRecord(let cache, let record): "\(cache) has no record \(record) of the data"
        case .tokensDiffer(let cache, let record, let detail):
            "\(cache): record \(record) holds other token ids than its tokenizer gives (\(detail))"
        case .unusable(let cache, let reason): "\(cache) cannot be read as a top-K cache: \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .otherData, .missingRecord: "make the cache with `smelt logits` or `smelt fuse` over the same DATA file"
        case .tokensDiffer: "give the tokenizer and chat template the cache was made with"
        case .unusable: "make a top-K cache: `smelt logits` without --sample, or join the shards"
        }
    }
}
