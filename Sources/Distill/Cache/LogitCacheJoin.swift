import Base

/// Joins the shards of one cache (`smelt logits --shard I/N`) into the
/// cache a single run writes, byte for byte: record r is the (r / N)-th of
/// shard r mod N, and its block is written again from the same payload.
public enum LogitCacheJoin {
    /// Checks that `shardPaths` are shards 0..<N of one identity, each
    /// complete, then writes the whole cache to `outputPath`.
    public static func join(outputPath: String, shardPaths: [String]) throws -> LogitCacheManifest {
        let shards = try shardPaths.map { try LogitCache(path: $0) }
        guard let first = shards.first else { throw LogitCacheFolderError.joinRefused(reason: "no shards given") }
        var byIndex: [Int: LogitCache] = [:]
        for shard in shards {
            guard let place = shard.manifest.shard else {
                throw LogitCacheFolderError.joinRefused(reason: "\(shard.path) is a whole cache, not a shard")
            }
            if let change = first.manifest.identity.difference(from: shard.manifest.identity) {
                throw LogitCacheFolderError.joinRefused(reason: "\(shard.path) differs from \(first.path): \(change)")
            }
            let count = first.manifest.shard?.count ?? 0
            guard place.count == count else {
                throw LogitCacheFolderError.joinRefused(
                    reason: "\(shard.path) is shard \(place.index)/\(place.count), \(first.path) one of \(count)")
            }
            if let other = byIndex[place.index] {
                throw LogitCacheFolderError.joinRefused(
                    reason: "\(other.path) and \(shard.path) are both shard \(place.index)/\(place.count)")
            }
            byIndex[place.index] = shard
        }
        let count = first.manifest.shard?.count ?? 1
        let missing = (0..<count).filter { byIndex[$0] == nil }
        guard missing.isEmpty else {
            throw LogitCacheFolderError.joinRefused(
                reason:
                    "shard\(missing.count == 1 ? "" : "s") "
                    + missing.map { "\($0)/\(count)" }.joined(separator: ", ") + " missing"
            )
        }
        let total = shards.reduce(0) { $0 + $1.entries.count }
        for (index, shard) in byIndex {
            let expected = (total - index + count - 1) / count
            guard shard.entries.count == expected,
                shard.entries.enumerated().allSatisfy({ $1.ordinal == index + $0 * count })
            else {
                throw LogitCacheFolderError.joinRefused(
                    reason: "\(shard.path) does not hold exactly the records of shard \(index)/\(count) "
                        + "(\(shard.entries.count) records; \(expected) expected of \(total))")
            }
        }
        if try FileSystem.status(outputPath) != nil {
            throw LogitCacheFolderError.outputExists(path: outputPath, reason: "joins write a new cache")
        }
        let writer = try LogitCacheWriter(
            outputPath: outputPath, identity: first.manifest.identity, shard: nil, restart: true)
        for ordinal in 0..<total {
            // checked: every index 0..<count is present (missing refused above)
            let shard = byIndex[ordinal % count]!
            let bytes = try shard.payload(at: ordinal / count)
            try writer.appendBlock(shard.entries[ordinal / count], block: bytes)
        }
        return try writer.publish()
    }
}
