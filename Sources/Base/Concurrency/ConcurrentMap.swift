import Dispatch
import Synchronization

/// Calls `body` for every index in 0..<count on up to `threads` Dispatch
/// workers, which take indexes in order as they free up, and returns the
/// results in index order. The first error stops further indexes from
/// starting and is rethrown. Each worker gets its own `state` (a buffer, a
/// hasher) made once by `makeState`, so hot loops allocate nothing.
public func concurrentMap<State, Result: Sendable, Failure: Error & Sendable>(
    count: Int, threads: Int, makeState: @Sendable () -> State,
    _ body: @Sendable (Int, inout State) throws(Failure) -> Result
) throws(Failure) -> [Result] {
    let results = Mutex([Result?](repeating: nil, count: count))
    let failure = Mutex<Failure?>(nil)
    let nextIndex = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
        var state = makeState()
        while failure.withLock({ $0 == nil }) {
            let index = nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < count else { return }
            do throws(Failure) {
                let result = try body(index, &state)
                results.withLock { $0[index] = result }
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
        }
    }
    if let error = failure.withLock({ $0 }) { throw error }
    return results.withLock { $0 }.map { $0! }  // checked: without an error every index ran and stored its result
}
