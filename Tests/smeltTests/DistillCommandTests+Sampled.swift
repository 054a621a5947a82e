import Base
import Foundation
import TestSupport
import Testing

/// `smelt distill --targets` with a sampled cache (`smelt logits --sample`):
/// random-sampling distillation, at temperature 1 or another.
extension DistillCommandTests {
    @Test(arguments: [["--sample", "8"], ["--sample", "6", "--temperature", "1.5"]])
    func aSampledCacheTrainsTheFusionTerm(sampling: [String]) throws {
        let material = try Self.material.get()
        let work = try CommandRunner.temporaryFolder()
        let cache = work + "/sampled.cache"
        let made = try CommandRunner.run(
            ["logits", Self.teacher, material.data, cache, "--chat-template", Self.template, "--quiet"] + sampling)
        try #require(made.status == 0, "\(made.standardError)")
        let options = ["--steps", "2", "--batch-tokens", "64", "--lr", "1e-3", "--quiet", "--targets", cache]
        let result = try distill(work + "/out", options + ["--json"])
        try #require(result.status == 0, "\(result.standardError)")
        #expect(try CommandRunner.json(result.standardOutput)["steps"] as? Int == 2)
        let rows = try logRows(work + "/out")
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.count == 7 && Double($0[3]).map { $0 > 0 && $0.isFinite } == true })
        let again = try distill(work + "/again", options)
        try #require(again.status == 0, "\(again.standardError)")
        #expect(
            try TestFiles.read(work + "/out/model.safetensors") == TestFiles.read(work + "/again/model.safetensors"))
    }
}
