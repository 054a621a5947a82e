import Base
import Checkpoint
import Testing
@testable import Merge

/// The journal's pieces: records that survive a round trip and refuse what
/// the plan cannot have written, identities that name what changed, and
/// the run history.
@Suite struct JournalTests {
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

    static func plan(seed: UInt64 = 0, shardSize: UInt64 = 5_000_000_000, weight: String = "1.0") throws -> MergePlan {
        _ = MergeTestSupport.repositoryRoot
        let yaml = "merge_method: linear\nmodels:\n  - model: Fixtures/models/llama-f32-a\n    parameters: {weight: \(weight)}\n  - model: Fixtures/models/llama-f32-b\n    parameters: {weight: 0.5}\n"
        var settings = PlanSettings()
        settings.seed = seed
        settings.shardSizeLimit = shardSize
        return try Planner.plan(try Recipe(yaml: Array(yaml.utf8), file: "r.yml"), settings: settings)
    }

    static func identity(_ plan: MergePlan) throws -> JournalIdentity {
        JournalIdentity(plan: plan, inputs: try plan.inputIdentities())
    }

    @Test func identityRoundTripsAndMatchesItself() throws {
        let identity = try Self.identity(try Self.plan())
        let read = try JournalIdentity(path: "journal", bytes: identity.encoded)
        #expect(read == identity)
        #expect(read.difference(from: identity) == nil)
    }

    @Test func identityNamesTheSeed() throws {
        let old = try Self.identity(try Self.plan(seed: 1))
        let change = old.difference(from: try Self.identity(try Self.plan(seed: 2)))
        #expect(change == "--seed was 1, now 2")
    }

    @Test func identityNamesTheShardSize() throws {
        let old = try Self.identity(try Self.plan(shardSize: 1000))
        #expect(old.difference(from: try Self.identity(try Self.plan()))?.hasPrefix("--shard-size was 1000 bytes") == true)
    }

    @Test func identityNamesARecipeChange() throws {
        let old = try Self.identity(try Self.plan(weight: "1.0"))
        let change = old.difference(from: try Self.identity(try Self.plan(weight: "0.25"))) ?? ""
        #expect(change.hasPrefix("the resolved recipe changed"), "\(change)")
    }

    @Test func identityNamesAModifiedInput() throws {
        let plan = try Self.plan()
        var inputs = try plan.inputIdentities()
        let current = JournalIdentity(plan: plan, inputs: inputs)
        inputs[0].modificationTime = "1.000000000"
        let change = JournalIdentity(plan: plan, inputs: inputs).difference(from: current) ?? ""
        #expect(change.contains(inputs[0].resolvedPath) && change.contains("modified"), "\(change)")
        inputs[0].size += 1
        let resized = JournalIdentity(plan: plan, inputs: inputs).difference(from: current) ?? ""
        #expect(resized.contains("changed size"), "\(resized)")
    }

    @Test func identityNamesTheVersion() throws {
        let current = try Self.identity(try Self.plan())
        var manifest = try Manifest(path: "j", bytes: current.encoded)
        manifest.version = "0.0.1"
        let old = try JournalIdentity(path: "j", bytes: Array(manifest.rendered().utf8))
        #expect(old.difference(from: current)?.contains("Smelt 0.0.1") == true)
    }

    @Test func historyMarksRunsThatNeverFinishedAsKilled() throws {
        let folder = try MergeTestSupport.temporaryFolder()
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

    @Test func anUnreadableHistoryStartsAfresh() throws {
        let folder = try MergeTestSupport.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        try FileSystem.writeFileAtomically(folder + "/" + RunHistory.fileName, bytes: Array("{not json".utf8))
        #expect(RunHistory.load(stagingPath: folder).runs.isEmpty)
    }
}
