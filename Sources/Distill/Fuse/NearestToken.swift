/// A vocabulary searchable by bytes: the token equal to a byte string, or
/// the one nearest to it in Levenshtein distance.
///
/// FuseLLM maps each teacher token to the student token with the smallest
/// edit distance (Wan et al., 2024, section 3.3). The index keeps the
/// tokens grouped by byte length, so a search visits lengths in order of
/// their difference from the query and stops once that difference alone
/// exceeds the best distance found; within a length it skips tokens that
/// a `ByteSignature` or `ByteBag` lower bound already rules out and runs the
/// banded distance, limited by the best so far, on the rest.
public struct NearestTokenIndex: Sendable {
    /// The number of tokens (ids run from 0 to `count − 1`).
    public let count: Int
    /// The tokens' bytes, grouped by length and by ascending id within a length.
    private let groupedBytes: [UInt8]
    /// The id of each grouped token.
    private let groupedIDs: [Int32]
    /// The signature of each grouped token.
    private let groupedSignatures: [ByteSignature]
    /// For each length ℓ, the place of its first token in `groupedIDs`; entry ℓ + 1 ends the group.
    private let groupStart: [Int]
    /// For each length ℓ, the offset of its first token in `groupedBytes`.
    private let groupByteStart: [Int]
    /// The smallest id of each distinct byte string.
    private let idsByBytes: [[UInt8]: Int32]

    /// An index of `tokens`, where token `id` has the bytes `tokens[id]`
    /// (empty ones included); nil for an empty vocabulary, which has no
    /// nearest token, or one with more ids than `Int32` holds.
    public init?(tokens: [[UInt8]]) {
        guard !tokens.isEmpty, tokens.count <= Int(Int32.max) else { return nil }
        count = tokens.count
        let longest = tokens.map(\.count).max() ?? 0
        var countByLength = [Int](repeating: 0, count: longest + 1)
        for token in tokens { countByLength[token.count] += 1 }
        var start = [Int](repeating: 0, count: longest + 2)
        var byteStart = [Int](repeating: 0, count: longest + 1)
        for length in 0...longest {
            start[length + 1] = start[length] + countByLength[length]
            if length < longest { byteStart[length + 1] = byteStart[length] + countByLength[length] * length }
        }
        groupStart = start

        var next = start
        var ids = [Int32](repeating: 0, count: tokens.count)
        var signatures = [ByteSignature](repeating: ByteSignature(), count: tokens.count)
        var bytes = [UInt8](repeating: 0, count: tokens.reduce(0) { $0 + $1.count })
        var firstIDs: [[UInt8]: Int32] = [:]
        for (id, token) in tokens.enumerated() {
            let length = token.count
            let place = next[length]
            next[length] += 1
            ids[place] = Int32(id)
            signatures[place] = token.withUnsafeBufferPointer { ByteSignature($0) }
            let offset = byteStart[length] + (place - start[length]) * length
            bytes.replaceSubrange(offset..<offset + length, with: token)
            if firstIDs[token] == nil { firstIDs[token] = Int32(id) }
        }
        groupedIDs = ids
        groupedSignatures = signatures
        groupedBytes = bytes
        groupByteStart = byteStart
        idsByBytes = firstIDs
    }

    /// The smallest id whose bytes equal `bytes`, or nil if none does.
    public func exact(_ bytes: [UInt8]) -> Int32? {
        idsByBytes[bytes]
    }

    /// The id whose bytes are nearest to `bytes` in Levenshtein distance,
    /// the smallest such id on ties (an exact match when there is one).
    public func nearest(_ bytes: [UInt8]) -> Int32 {
        if let id = exact(bytes) { return id }
        let longest = groupStart.count - 2
        return bytes.withUnsafeBufferPointer { query in
            groupedBytes.withUnsafeBufferPointer { grouped in
                var search = Search(query: query)
                var gap = 0
                // A token whose length differs by more than the best distance can neither match nor beat it.
                while gap <= search.bestDistance, gap <= max(query.count, longest) {
                    scan(length: query.count - gap, grouped: grouped, search: &search)
                    if gap > 0 { scan(length: query.count + gap, grouped: grouped, search: &search) }
                    gap += 1
                }
                return search.bestID
            }
        }
    }

    /// One query's search: what the filters need to know of the query, the
    /// best token so far and the distance's scratch row.
    private struct Search {
        let query: UnsafeBufferPointer<UInt8>
        let signature: ByteSignature
        var bag: ByteBag
        var bestDistance = Int.max
        var bestID = Int32.max
        var row: [Int32] = []

        init(query: UnsafeBufferPointer<UInt8>) {
            self.query = query
            signature = ByteSignature(query)
            bag = ByteBag(query)
        }
    }

    /// Offers every token of `length` bytes, if the vocabulary has that length, to `search`.
    private func scan(length: Int, grouped: UnsafeBufferPointer<UInt8>, search: inout Search) {
        guard length >= 0, length + 1 < groupStart.count else { return }
        var offset = groupByteStart[length]
        for place in groupStart[length]..<groupStart[length + 1] {
            defer { offset += length }
            let id = groupedIDs[place]
            // A larger id must beat the best distance; a smaller one may tie it.
            let limit = id < search.bestID ? search.bestDistance : search.bestDistance - 1
            guard groupedSignatures[place].distanceLowerBound(to: search.signature) <= limit else { continue }
            let token = UnsafeBufferPointer(rebasing: grouped[offset..<offset + length])
            guard search.bag.distanceLowerBound(to: token) <= limit else { continue }
            let distance = EditDistance.distance(search.query, token, limit: limit, row: &search.row)
            if distance <= limit {
                search.bestDistance = distance
                search.bestID = id
            }
        }
    }
}
