import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on standard error, drawn only when standard
/// error is a terminal and the user did not ask for quiet or JSON output.
/// Workers report from any thread; the counters live behind one Mutex.
public final class ProgressBar: Sendable {
    private let label: String
    private let totalBytes: UInt64
    private let isEnabled: Bool
    private let startTime = monotonicSeconds()
    private let state = Mutex((doneBytes: UInt64(0), lastDrawTime: 0.0, passBytes: UInt64(0)))

    public init(label: String, totalBytes: UInt64, enabled: Bool) {
        self.label = TerminalText.escaped(label)
        self.totalBytes = totalBytes
        self.isEnabled = enabled && isTerminal(2) && totalBytes > 0
    }

    /// Records `bytes` more output done.
    public func advance(_ bytes: UInt64) { update(outputBytes: bytes, passBytes: 0) }

    /// Records `bytes` more read by a statistics pass (work before the
    /// output that the bar's bytes do not count), shown after the rate.
    public func advancePass(_ bytes: UInt64) { update(outputBytes: 0, passBytes: bytes) }

    /// Adds to the counters and redraws at most ten times a second (and at
    /// the end). The line is written under the lock, so workers never
    /// interleave it.
    private func update(outputBytes: UInt64, passBytes: UInt64) {
        guard isEnabled else { return }
        let now = monotonicSeconds()
        state.withLock { state in
            state.doneBytes += outputBytes
            state.passBytes += passBytes
            if now - state.lastDrawTime < 0.1 && state.doneBytes < totalBytes { return }
            state.lastDrawTime = now
            writeToStandardError(line(doneBytes: state.doneBytes, passBytes: state.passBytes, now: now), terminator: "")
        }
    }

    private func line(doneBytes: UInt64, passBytes: UInt64, now: Double) -> String {
        let fraction = min(1, Double(doneBytes) / Double(totalBytes))
        let width = 30
        let filled = Int(fraction * Double(width))
        let rate = Double(doneBytes) / max(now - startTime, 1e-6)
        let remaining = rate > 0 ? Double(totalBytes - min(doneBytes, totalBytes)) / rate : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return "\r\(label) [\(bar)] \(Formatting.bytes(doneBytes))/\(Formatting.bytes(totalBytes)) "
            + "\(Formatting.bytes(UInt64(rate)))/s ETA \(Int(remaining.rounded()))s"
            + (passBytes > 0 ? " (statistics passes: \(Formatting.bytes(passBytes)) read)" : "") + " \u{1B}[K"
    }

    /// Clears the bar's line.
    public func finish() {
        if isEnabled { writeToStandardError("\r\u{1B}[K", terminator: "") }
    }
}

/// Seconds on the monotonic clock.
public func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
