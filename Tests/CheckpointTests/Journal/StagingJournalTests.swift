import Base
import TestSupport
import Testing
@testable import Checkpoint

/// The journal's generic pieces: records that survive a round trip and
/// refuse what the plan cannot have written, identities that name a
/// changed option, and the run history.
@Suite struct StagingJournalTests {
    static let sizes: [UInt64] = [1000, 0, 64]

    @Test func recordsRoundTripThroughTheirFixedLayout() throws {
        let records = [
            JournalRecord(kind: .chunk, tensorIndex: 0, byteOffset: 256, byteCount: 744, digest: 0x0123_4567_89AB_CDEF),
            JournalRecord(kind: .tensor, tensorIndex: 1, byteOffset: 0, byteCount: 0, digest: 7),
            JournalRecord(kind: .tensor, tensorIndex: 2, byteOffset: 0, byteCount: 64, digest: .max),
        ]
        var bytes: [UInt8] = []
        for record in records { record.append(to: &bytes) }
        #expect(bytes.count == 3 * JournalRecord.encodedByteCount)
        #expect(Array(bytes[0..<8]) == [1, 0, 0, 0, 0, 0, 0, 0])
        let decoded = bytes.withUnsafeBytes { JournalRecord.decode($0, tensorByteCounts: Self.sizes) }
        #expect(decoded == records)
    }

    @Test(arguments: [
        (UInt32(3), UInt32(0), UInt64(0), UInt64(8)),     // unknown kind
        (UInt32(1), UInt32(3), UInt64(0), UInt64(8)),     // no such tensor
        (UInt32(1), UInt32(0), UInt64(900), UInt64(101)), // past the tensor's end
        (UInt32(1), UInt32(0), UInt64.max, UInt64(2)),    // offset overflows
        (UInt32(2), UInt32(0), UInt64(0), UInt64(999)),   // a whole tensor of the wrong size
    ])
    func refusesRecordsThePlanCannotHaveWritten(kind: UInt32, tensor: UInt32, offset: UInt64, count: UInt64) {
        var bytes: [UInt8] = []
        for value in [UInt64(kind) | UInt64(tensor) << 32, offset, count, 0] {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        #expect(bytes.withUnsafeBytes { JournalRecord.decode($0, tensorByteCounts: Self.sizes) } == nil)
    }

    @Test func refusesABlockThatIsNotWholeRecords() {
        let bytes = [UInt8](repeating: 0, count: 33)
        #expect(bytes.withUnsafeBytes { JournalRecord.decode($0, tensorByteCounts: Self.sizes) } == nil)
    }

    @Test func identityNamesAChangedDType() {
        let old = JournalIdentity(planText: "smelt-convert 1\ndtype bf16\n", inputs: [], planNoun: "the plan")
        let new = JournalIdentity(planText: "smelt-convert 1\ndtype f16\n", inputs: [], planNoun: "the plan")
        #expect(old.difference(from: new) == "--dtype was bf16, now f16")
        let other = JournalIdentity(planText: "smelt-convert 1\ntensor a\n", inputs: [], planNoun: "the conversion")
        #expect(old.difference(from: other)?.hasPrefix("the conversion changed") == true)
    }

    @Test func historyMarksRunsThatNeverFinishedAsKilled() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        var history = RunHistory()
        history.begin(keptBytes: 0)
        try history.save(stagingPath: folder)
        var next = RunHistory.load(stagingPath: folder)
        #expect(next.runs.map(\.outcome) == ["killed"])
        next.begin(keptBytes: 10)
        next.finish("merged", computedBytes: 90)
        try next.save(stagingPath: folder)
        // Still in the staging folder after "merged": killed while publishing.
        let read = RunHistory.load(stagingPath: folder)
        #expect(read.runs.map(\.outcome) == ["killed", "killed while publishing"])
        #expect(read.runs.last?.keptBytes == 10 && read.runs.last?.computedBytes == 90 && read.runs.last?.ended != nil)
    }

    @Test func aConversionLeftInStagingWasKilledWhilePublishing() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        var history = RunHistory()
        history.begin(keptBytes: 0)
        history.finish("converted", computedBytes: 8)
        try history.save(stagingPath: folder)
        #expect(RunHistory.load(stagingPath: folder).runs.map(\.outcome) == ["killed while publishing"])
    }

    @Test func anUnreadableHistoryStartsAfresh() throws {
        let folder = try TestFiles.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        try FileSystem.writeFileAtomically(folder + "/" + RunHistory.fileName, bytes: Array("{not json".utf8))
        #expect(RunHistory.load(stagingPath: folder).runs.isEmpty)
    }
}
