import Dispatch
import Synchronization

/// The one account every buffer that grows with the work is drawn from
/// (DESIGN.md, "Layers"): a request that would take the total past the
/// limit waits for releases instead of overdrawing, and one that could
/// never fit is refused at once. Shared by all workers of a run.
public final class ByteBudget: Sendable {
    public let limitBytes: UInt64
    private let state = Mutex((reservedBytes: UInt64(0), highWaterBytes: UInt64(0), waiters: 0))
    /// Signalled once per waiter at every release, so each re-checks.
    private let released = DispatchSemaphore(value: 0)

    public init(limitBytes: UInt64) {
        self.limitBytes = limitBytes
    }

    /// The default `--memory-budget`: 1 GiB or a quarter of the machine's
    /// memory, whichever is smaller (at least 64 MiB).
    public static var defaultLimitBytes: UInt64 { min(1 << 30, max(64 << 20, FileSystem.physicalMemoryBytes / 4)) }

    /// The smallest `--memory-budget` a command accepts.
    public static let minimumLimitBytes: UInt64 = 16 << 20

    /// What the program itself may take beyond the budget (code, stacks,
    /// allocator slack): the budget's promise is peak RSS ≤ limit + this.
    public static let fixedOverheadBytes: UInt64 = 64 << 20

    /// Bytes held by live reservations.
    public var reservedBytes: UInt64 { state.withLock { $0.reservedBytes } }

    /// The most bytes ever held at once.
    public var highWaterBytes: UInt64 { state.withLock { $0.highWaterBytes } }

    /// Takes `bytes` if they fit now, else nil.
    public func tryReserve(_ bytes: UInt64, purpose: String) -> ByteReservation? {
        take(bytes, registeringWaiter: false) ? ByteReservation(budget: self, bytes: bytes, purpose: purpose) : nil
    }

    /// Takes `bytes`, waiting for other reservations to end if they do not
    /// fit yet; refuses a request larger than the whole budget, which no
    /// release could satisfy.
    public func reserve(_ bytes: UInt64, purpose: String) throws(ByteBudgetError) -> ByteReservation {
        guard bytes <= limitBytes else {
            throw ByteBudgetError(purpose: purpose, requestedBytes: bytes, limitBytes: limitBytes)
        }
        while !take(bytes, registeringWaiter: true) { released.wait() }
        return ByteReservation(budget: self, bytes: bytes, purpose: purpose)
    }

    /// Takes `bytes` as `reserve` does, but before each wait calls
    /// `makingRoom`, which may end reservations nobody is using (buffers
    /// kept idle for reuse): a holder that only keeps bytes for later would
    /// otherwise never release them. Waits are short and re-checked, so a
    /// release between `makingRoom` and the wait is not missed.
    public func reserve(
        _ bytes: UInt64, purpose: String, makingRoom: () -> Void
    ) throws(ByteBudgetError) -> ByteReservation {
        guard bytes <= limitBytes else {
            throw ByteBudgetError(purpose: purpose, requestedBytes: bytes, limitBytes: limitBytes)
        }
        while !take(bytes, registeringWaiter: false) {
            makingRoom()
            if take(bytes, registeringWaiter: true) { break }
            _ = released.wait(timeout: .now() + .milliseconds(20))
        }
        return ByteReservation(budget: self, bytes: bytes, purpose: purpose)
    }

    /// Whether a request is waiting for bytes: a holder of idle reserved
    /// memory should then give it back rather than keep it.
    public var hasWaiters: Bool { state.withLock { $0.waiters > 0 } }

    /// Adds `bytes` when they fit; otherwise, with `registeringWaiter`,
    /// counts the caller among those a release must wake.
    private func take(_ bytes: UInt64, registeringWaiter: Bool) -> Bool {
        state.withLock { state in
            let (total, overflow) = state.reservedBytes.addingReportingOverflow(bytes)
            guard !overflow, total <= limitBytes else {
                if registeringWaiter { state.waiters += 1 }
                return false
            }
            state.reservedBytes = total
            state.highWaterBytes = max(state.highWaterBytes, total)
            return true
        }
    }

    fileprivate func release(_ bytes: UInt64) {
        let waiters = state.withLock { state in
            state.reservedBytes -= bytes
            defer { state.waiters = 0 }
            return state.waiters
        }
        for _ in 0..<waiters { released.signal() }
    }
}

/// Bytes drawn from a `ByteBudget`, given back when the reservation ends.
public struct ByteReservation: ~Copyable, Sendable {
    private let budget: ByteBudget
    public let bytes: UInt64
    /// What the bytes are for, for messages.
    public let purpose: String

    fileprivate init(budget: ByteBudget, bytes: UInt64, purpose: String) {
        self.budget = budget
        self.bytes = bytes
        self.purpose = purpose
    }

    deinit { budget.release(bytes) }
}

/// A request no release could satisfy: it alone exceeds the budget, or
/// it does beside bytes held that nothing will give back in time.
public struct ByteBudgetError: SmeltError, Equatable {
    public let purpose: String
    public let requestedBytes: UInt64
    public let limitBytes: UInt64
    /// Bytes already held by the run when the request came.
    public let heldBytes: UInt64

    public init(purpose: String, requestedBytes: UInt64, limitBytes: UInt64, heldBytes: UInt64 = 0) {
        self.purpose = purpose
        self.requestedBytes = requestedBytes
        self.limitBytes = limitBytes
        self.heldBytes = heldBytes
    }

    /// A budget too small for the work is the user's setting to change.
    public var exitCode: ExitCode { .usage }
    public var description: String {
        heldBytes == 0
            ? "\(purpose) needs \(requestedBytes) bytes at once, more than the whole memory budget of \(limitBytes) bytes"
            : "\(purpose) needs \(requestedBytes) bytes at once, which with the \(heldBytes) bytes the run already holds is more than the memory budget of \(limitBytes) bytes"
    }
    public var hint: String? { "raise --memory-budget" }
}
