import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT and SIGTERM into a request to stop cleanly: the first one
/// calls `onSignal` (on a Dispatch queue, not in a signal handler, so it
/// may do anything); a second one ends the process at once with the usual
/// 128 + signal status, for a user who does not want to wait (the journal
/// makes even that resumable).
public final class StopSignals {
    public static let terminate = SIGTERM

    private let sources: [any DispatchSourceSignal]

    public init(onSignal: @escaping @Sendable (Int32) -> Void) {
        let received = Atomic<Bool>(false)
        var sources: [any DispatchSourceSignal] = []
        // A queue of its own: the global pool can be full of workers blocked
        // on the merge's semaphores, and the stop must not wait for them.
        let queue = DispatchQueue(label: "smelt.stop-signals")
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if received.exchange(true, ordering: .relaxed) { _exit(128 + number) }
                onSignal(number)
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    deinit {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    /// The name of a signal, for messages.
    public static func name(of number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(number)"
        }
    }
}
