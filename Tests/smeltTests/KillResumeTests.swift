import Base
import Checkpoint
import Foundation
import Testing

/// A merge killed at many random moments (issue 4): after every kill OUT
/// is absent or a complete, verified merge; re-running the same command
/// resumes; and what is finally published is byte for byte the
/// uninterrupted run's (every file but smelt-run.json).
@Suite struct KillResumeTests {
    static let killCount = 25
    /// Each retired chunk sleeps this long (a debug-build hook), so the
    /// 27-chunk fixture merge lasts long enough to be killed mid-work.
    static let environment = ["SMELT_DELAY_AT": "chunk.retired:10"]

    /// A small deterministic generator, so a failure names a reproducible
    /// sequence of kill delays.
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [SIGKILL, SIGTERM])
    func everyKillIsRecoverable(signal: Int32) throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = folder + "/merged"
        let arguments = ResumeSupport.mergeArguments(output)

        // How long one uninterrupted slowed run takes here, to spread the kills over it.
        let start = Date()
        let timed = try CommandRunner.run(arguments, environment: Self.environment)
        #expect(timed.status == 0, "\(timed.standardError)")
        let runSeconds = Date().timeIntervalSince(start)
        try FileManager.default.removeItem(atPath: output)

        var random = SplitMix(state: UInt64(signal) * 1_000_003)
        var kills = 0
        var keptByAResume = false
        var attempts = 0
        while kills < Self.killCount && attempts < Self.killCount * 6 {
            attempts += 1
            let delay = runSeconds * Double(random.next() % 1000) / 1000
            let running = try CommandRunner.start(arguments, environment: Self.environment)
            usleep(UInt32(delay * 1_000_000))
            let delivered = running.send(signal)
            let result = running.wait()
            if delivered { kills += 1 }
            let allowed: Set<Int32> = signal == SIGKILL ? [0, 128 + SIGKILL] : [0, 143]
            #expect(allowed.contains(result.status), "attempt \(attempts) after \(delay) s: status \(result.status): \(result.standardError)")
            if result.status == 143 {
                #expect(result.standardError.isEmpty || result.standardError.contains("run the same command again to resume"), "\(result.standardError)")
            }
            try ResumeSupport.expectAbsentOrComplete(output)
            if FileManager.default.fileExists(atPath: output) {
                // Finished before (or despite) the signal: check it, then
                // start the run over so the remaining kills hit work too.
                let history = try String(contentsOfFile: output + "/smelt-run.json", encoding: .utf8)
                if history.range(of: #""kept_bytes": [1-9]"#, options: .regularExpression) != nil { keptByAResume = true }
                try FileManager.default.removeItem(atPath: output)
            }
        }
        #expect(kills == Self.killCount, "only \(kills) signals reached a running merge in \(attempts) attempts")
        let final = try CommandRunner.run(arguments)
        #expect(final.status == 0, "\(final.standardError)")
        try ResumeSupport.expectMatchesReference(output)
        let history = try String(contentsOfFile: output + "/smelt-run.json", encoding: .utf8)
        if history.range(of: #""kept_bytes": [1-9]"#, options: .regularExpression) != nil { keptByAResume = true }
        #expect(keptByAResume, "no run ever resumed with kept work; the kills never landed after a journal append")
    }
}
