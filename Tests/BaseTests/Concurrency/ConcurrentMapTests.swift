import Base
import Testing

/// The shared worker pool: results in index order whatever the thread
/// count, each worker's state reused, and the first error rethrown.
@Suite struct ConcurrentMapTests {
    struct Stop: Error, Equatable { let index: Int }

    @Test(arguments: [1, 2, 7])
    func returnsResultsInIndexOrder(threads: Int) throws {
        let squares = try concurrentMap(count: 1000, threads: threads, makeState: { 0 }) { (index, calls: inout Int) throws(Stop) in
            calls += 1
            return index * index
        }
        #expect(squares == (0..<1000).map { $0 * $0 })
    }

    @Test func emptyInputGivesEmptyOutput() throws {
        #expect(try concurrentMap(count: 0, threads: 4, makeState: {}) { (index, _) throws(Stop) in index }.isEmpty)
    }

    @Test func rethrowsTheErrorOfAFailingIndex() {
        #expect(throws: Stop(index: 500)) {
            try concurrentMap(count: 1000, threads: 2, makeState: {}) { (index, _) throws(Stop) -> Int in
                if index == 500 { throw Stop(index: 500) }
                return index
            }
        }
    }
}
