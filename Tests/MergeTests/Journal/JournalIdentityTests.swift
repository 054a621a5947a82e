import Base
import Checkpoint
import Testing
@testable import Merge

/// A merge's journal identity: it names what changed between the run
/// that wrote the journal and this one.
@Suite struct JournalIdentityTests {
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
}
