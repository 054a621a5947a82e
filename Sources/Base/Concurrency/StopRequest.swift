import Synchronization

/// A request, from a signal, to stop a run at the next chunk. Workers check
/// it before each chunk; chunks already retired stay journaled, so the run
/// resumes from there.
public final class StopRequest: Sendable {
    private let signalNumber = Atomic<Int32>(0)

    public init() {}

    /// Asks the run to stop because of signal `number`.
    public func request(signal number: Int32) {
        signalNumber.store(number, ordering: .relaxed)
    }

    /// The signal that asked for a stop, if any.
    public var requestedSignal: Int32? {
        let number = signalNumber.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }

    /// Throws `StopRequested` once a stop was asked for.
    @inline(__always)
    public func check() throws(StopRequested) {
        if let number = requestedSignal { throw StopRequested(signal: number) }
    }
}

/// Thrown by workers when a stop was requested.
public struct StopRequested: Error {
    public let signal: Int32
}
