import Base
import Checkpoint
import Foundation
import Testing
@testable import Merge

/// DESIGN.md, "Command line": a path that exists wins, else `org/name` in
/// the local Hugging Face cache at the snapshot `refs/main` names.
@Suite struct ModelResolverTests {
    @Test func findsAHubNameInTheLocalCacheAtRefsMain() throws {
        let cache = try MergeTestSupport.temporaryFolder()
        defer { try? FileSystem.removeTree(cache) }
        let snapshot = cache + "/models--acme--tiny/snapshots/0123abcd"
        try FileManager.default.createDirectory(atPath: cache + "/models--acme--tiny/refs", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: cache + "/models--acme--tiny/snapshots", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: MergeTestSupport.repositoryRoot + "/Fixtures/models/llama-f32-a", toPath: snapshot)
        try Data("0123abcd\n".utf8).write(to: URL(fileURLWithPath: cache + "/models--acme--tiny/refs/main"))
        let recipe = try Recipe(yaml: Array("merge_method: linear\nmodels:\n  - model: acme/tiny\n    parameters: {weight: 1}\n".utf8), file: "r.yml")
        let plan = try Planner.plan(recipe, environment: ["HF_HUB_CACHE": cache])
        #expect(plan.models[0].path == snapshot)
        #expect(plan.tensors.count == 21)
        // $HF_HOME/hub is the fallback when HF_HUB_CACHE is unset.
        let home = ModelResolver(recipeFile: "r.yml", environment: ["HF_HOME": "/h", "HOME": "/u"])
        #expect(home.hubCache == "/h/hub")
        #expect(ModelResolver(recipeFile: "r.yml", environment: ["HOME": "/u"]).hubCache == "/u/.cache/huggingface/hub")
    }

    @Test func aMissingModelNamesWhereItLooked() throws {
        let recipe = try Recipe(yaml: Array("merge_method: linear\nmodels:\n  - model: acme/absent\n    parameters: {weight: 1}\n".utf8), file: "r.yml")
        #expect(throws: MergeError.missingModel(file: "r.yml", mark: YAMLMark(line: 3, column: 12), reference: "acme/absent",
                                                looked: ["acme/absent", "/nowhere/models--acme--absent"])) {
            try Planner.plan(recipe, environment: ["HF_HUB_CACHE": "/nowhere"])
        }
    }
}
