import Dispatch
import Synchronization

/// Runs `body(unit, worker)` for every unit in 0..<count on up to `threads`
/// Dispatch workers, which take units in order; `worker` indexes the
/// caller's per-worker scratch. Which worker runs a unit never changes what
/// the unit computes: units write disjoint outputs. The first error stops
/// further units from starting and is rethrown.
func parallelWork(count: Int, threads: Int, _ body: @Sendable (Int, Int) throws -> Void) throws {
    let failure = Mutex<(any Error)?>(nil)
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { worker in
        while failure.withLock({ $0 == nil }) {
            let unit = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard unit < count else { return }
            do {
                try body(unit, worker)
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
        }
    }
    if let error = failure.withLock({ $0 }) { throw error }
}
