import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Faults that tests inject into a real run through the system layer, so
/// the error paths that a full disk, a failing disk or a crash take are the
/// ones a user would hit (issue 4). Debug builds only: in a release build
/// every hook is compiled out and costs nothing.
///
/// * `SMELT_INJECT_WRITE_FAULT=ERRNO:BYTES[:PATH-PART]`: once `BYTES` bytes
///   have been written to files whose path contains `PATH-PART` (any file
///   if absent), every further such write fails with `ERRNO` (`ENOSPC`,
///   `EIO` or `EDQUOT`), as a disk that filled up mid-run does.
/// * `SMELT_CRASH_AT=NAME`: the process kills itself with SIGKILL when it
///   reaches the crash point `NAME` (for example `publish.before-rename`),
///   so a test can stop a run at an instant a random kill rarely hits.
/// * `SMELT_DELAY_AT=NAME:MILLISECONDS`: sleeps at every pass through the
///   point `NAME` (for example `chunk.retired`), so a fixture-sized run
///   lasts long enough for a test to signal or kill it mid-work.
public enum FaultInjection {
    #if DEBUG
    struct WriteFault {
        let errno: Int32
        let budgetBytes: Int
        let pathPart: String?
    }

    static let writeFault: WriteFault? = parseWriteFault(environment("SMELT_INJECT_WRITE_FAULT"))
    static let writtenBytes = Atomic<Int>(0)
    static let crashPoint = environment("SMELT_CRASH_AT")
    static let delayPoint: (name: Substring, microseconds: UInt32)? = {
        guard let parts = environment("SMELT_DELAY_AT")?.split(separator: ":"), parts.count == 2,
            let milliseconds = UInt32(parts[1]), milliseconds <= 60_000
        else { return nil }
        return (parts[0], milliseconds * 1000)
    }()

    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    static func parseWriteFault(_ text: String?) -> WriteFault? {
        guard let parts = text?.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false), parts.count >= 2,
            let budget = Int(parts[1])
        else { return nil }
        let codes: [Substring: Int32] = ["ENOSPC": ENOSPC, "EIO": EIO, "EDQUOT": EDQUOT]
        guard let code = codes[parts[0]] else { return nil }
        return WriteFault(errno: code, budgetBytes: budget, pathPart: parts.count > 2 ? String(parts[2]) : nil)
    }
    #endif

    /// The errno an injected fault makes a write of `count` bytes to `path`
    /// fail with, or nil to let it happen.
    @inline(__always)
    static func writeError(path: String, count: Int) -> Int32? {
        #if DEBUG
        guard let fault = writeFault, fault.pathPart.map({ path.contains($0) }) ?? true else { return nil }
        let before = writtenBytes.wrappingAdd(count, ordering: .relaxed).oldValue
        return before + count > fault.budgetBytes ? fault.errno : nil
        #else
        return nil
        #endif
    }

    /// Kills the process here if a test asked for a crash at `name`.
    @inline(__always)
    public static func crashPoint(_ name: String) {
        #if DEBUG
        if crashPoint == name { kill(getpid(), SIGKILL) }
        #endif
    }

    /// Sleeps here if a test asked for a delay at `name`.
    @inline(__always)
    public static func delayPoint(_ name: String) {
        #if DEBUG
        if let delay = delayPoint, delay.name == name { usleep(delay.microseconds) }
        #endif
    }
}
