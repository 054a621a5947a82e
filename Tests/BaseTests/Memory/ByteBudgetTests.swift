import Dispatch
import Glibc
import Synchronization
import Testing
import Base

/// The budget is enforced, not estimated: nothing is handed out past the
/// limit, waiters resume when bytes come back, and an impossible request
/// is refused rather than left waiting for ever.
@Suite struct ByteBudgetTests {
    @Test func aRequestThatDoesNotFitNowIsNotGranted() {
        let budget = ByteBudget(limitBytes: 100)
        let first = budget.tryReserve(60, purpose: "a")
        #expect(budget.reservedBytes == 60)
        let second = budget.tryReserve(41, purpose: "b")
        #expect(budget.reservedBytes == 60, "the second request was granted")
        _ = consume second
        _ = consume first
    }

    @Test func endingAReservationGivesItsBytesBack() {
        let budget = ByteBudget(limitBytes: 100)
        let held = budget.tryReserve(100, purpose: "a")
        #expect(budget.reservedBytes == 100)
        _ = consume held
        #expect(budget.reservedBytes == 0)
        #expect(budget.highWaterBytes == 100)
        let again = budget.tryReserve(100, purpose: "b")
        #expect(budget.reservedBytes == 100)
        _ = consume again
    }

    @Test func aRequestLargerThanTheWholeBudgetIsRefused() {
        let budget = ByteBudget(limitBytes: 100)
        #expect(throws: ByteBudgetError(purpose: "the buffers", requestedBytes: 101, limitBytes: 100)) {
            _ = try budget.reserve(101, purpose: "the buffers")
        }
    }

    @Test func waitersNeverTakeTheTotalPastTheLimit() {
        let budget = ByteBudget(limitBytes: 1000)
        let overdrawn = Atomic<Bool>(false)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<200 {
                let bytes = UInt64(100 + (worker * 37 + round * 11) % 400)
                guard let held = try? budget.reserve(bytes, purpose: "worker") else { continue }
                if budget.reservedBytes > 1000 { overdrawn.store(true, ordering: .relaxed) }
                usleep(20)  // held while others ask, so some must wait
                _ = consume held
            }
        }
        let wasOverdrawn = overdrawn.load(ordering: .relaxed)
        #expect(!wasOverdrawn)
        #expect(budget.reservedBytes == 0)
        #expect(budget.highWaterBytes <= 1000)
    }

    @Test func aRequestThatDoesNotFitWaitsForARelease() throws {
        let budget = ByteBudget(limitBytes: 1000)
        var held: ByteReservation? = try budget.reserve(800, purpose: "first")
        let acquired = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let second = try? budget.reserve(500, purpose: "second")
            acquired.store(second != nil, ordering: .sequentiallyConsistent)
            _ = consume second
            finished.signal()
        }
        usleep(50_000)
        let acquiredWhileHeld = acquired.load(ordering: .sequentiallyConsistent)
        #expect(!acquiredWhileHeld, "500 more bytes would overdraw 1000 while 800 are held")
        let thirdFitted: Bool
        switch budget.tryReserve(500, purpose: "third") {
        case .some: thirdFitted = true
        case .none: thirdFitted = false
        }
        #expect(!thirdFitted)
        held = nil
        finished.wait()
        let acquiredAfterRelease = acquired.load(ordering: .sequentiallyConsistent)
        #expect(acquiredAfterRelease)
        #expect(budget.highWaterBytes == 800 && budget.reservedBytes == 0)
        _ = consume held
    }
}
