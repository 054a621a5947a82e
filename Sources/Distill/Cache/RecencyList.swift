/// The ids a record has used lately, most recent first (a move-to-front
/// list of at most `capacity` ids): a top-K id is coded as its place here
/// when it has one, which for ids seen a few positions back is short.
struct RecencyList {
    /// The most ids a list keeps: places stay below 2^12, `ValueBucket` symbols below 64.
    static let maximumCapacity = 4096

    /// The capacity for K entries per position: about 24 positions' worth,
    /// at least 256 (past that, on real records, a place costs about as
    /// much as the id itself).
    static func capacity(topK: Int) -> Int {
        min(maximumCapacity, max(256, 24 * topK))
    }

    private let ids: UnsafeMutablePointer<Int32>
    private let capacity: Int
    private(set) var count = 0

    /// A list kept in `storage` (at least `capacity` ids), which must outlive it.
    init(storage: UnsafeMutablePointer<Int32>, capacity: Int) {
        ids = storage
        self.capacity = capacity
    }

    /// Calls `body` with an empty list of `capacity` ids, its storage freed after.
    static func with<R, E: Error>(capacity: Int, _ body: (inout RecencyList) throws(E) -> R) throws(E) -> R {
        let storage = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        defer { storage.deallocate() }
        var list = RecencyList(storage: storage, capacity: capacity)
        return try body(&list)
    }

    /// The place of `id`, or nil if the list lacks it.
    func place(of id: Int32) -> Int? {
        for place in 0..<count where ids[place] == id { return place }
        return nil
    }

    /// The id at `place` (below `count`), which moves to the front.
    @inline(__always)
    mutating func take(at place: Int) -> Int32 {
        let id = ids[place]
        UnsafeMutableRawPointer(ids + 1).copyMemory(from: ids, byteCount: place * MemoryLayout<Int32>.stride)
        ids[0] = id
        return id
    }

    /// Puts `id`, which the list lacks, at the front; the oldest id drops
    /// out of a full list.
    @inline(__always)
    mutating func insert(_ id: Int32) {
        let kept = min(count, capacity - 1)
        UnsafeMutableRawPointer(ids + 1).copyMemory(from: ids, byteCount: kept * MemoryLayout<Int32>.stride)
        ids[0] = id
        count = kept + 1
    }
}
