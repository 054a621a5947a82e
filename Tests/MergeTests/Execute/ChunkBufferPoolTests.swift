import Base
import Dispatch
import Testing

@testable import Merge

/// Worker buffers are drawn from the run's budget: a set that does not fit
/// waits for a lent one to come back, idle sets are freed to make room,
/// and a request that nothing could ever satisfy is refused, not left
/// waiting.
@Suite struct ChunkBufferPoolTests {
    /// Bytes of one set of 65,536 elements of two sources, no histograms.
    static let setBytes = ChunkBuffers.reservedBytes(
        chunkElementCount: 1 << 16, sourceCount: 2, histogramCount: 0, working: .elementwise)

    @Test func aSetThatDoesNotFitWaitsForALentOneToComeBack() throws {
        let budget = ByteBudget(limitBytes: Self.setBytes + Self.setBytes / 2)
        let pool = ChunkBufferPool(threads: 2, budget: budget)
        var first: LentChunkBuffers? = try LentChunkBuffers(pool, chunkElementCount: 1 << 16, sourceCount: 2)
        #expect(budget.reservedBytes == Self.setBytes)
        let secondTaken = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            // A larger set: the kept one cannot serve it.
            let second = try? LentChunkBuffers(pool, chunkElementCount: 1 << 16, sourceCount: 3)
            #expect(second != nil)
            #expect(budget.reservedBytes <= budget.limitBytes)
            secondTaken.signal()
        }
        #expect(secondTaken.wait(timeout: .now() + .milliseconds(200)) == .timedOut, "took bytes the budget lacks")
        withExtendedLifetime(first) {}
        first = nil  // given back while a request waits: freed, not kept
        #expect(secondTaken.wait(timeout: .now() + .seconds(10)) == .success, "the waiting set never got its bytes")
        #expect(budget.highWaterBytes <= budget.limitBytes)
    }

    @Test func idleSetsAreFreedToMakeRoomBetweenPasses() throws {
        let budget = ByteBudget(limitBytes: Self.setBytes + Self.setBytes / 2)
        let pool = ChunkBufferPool(threads: 2, budget: budget)
        _ = try LentChunkBuffers(pool, chunkElementCount: 1 << 16, sourceCount: 2)  // kept idle by the pool
        #expect(budget.reservedBytes == Self.setBytes)
        let reservation = try pool.reserveBetweenPasses(Self.setBytes, purpose: "output")
        #expect(reservation.bytes == Self.setBytes && budget.reservedBytes == Self.setBytes)
    }

    @Test func aRequestNothingCouldSatisfyIsRefused() throws {
        let budget = ByteBudget(limitBytes: Self.setBytes + Self.setBytes / 2)
        let pool = ChunkBufferPool(threads: 2, budget: budget)
        let held = try pool.reserveBetweenPasses(Self.setBytes, purpose: "output")
        // No set is lent, so none will come back: refused at once.
        #expect(throws: ByteBudgetError.self) {
            _ = try LentChunkBuffers(pool, chunkElementCount: 1 << 16, sourceCount: 2)
        }
        #expect(throws: ByteBudgetError.self) { _ = try pool.reserveBetweenPasses(Self.setBytes, purpose: "slots") }
        #expect(budget.reservedBytes == held.bytes)
    }
}
