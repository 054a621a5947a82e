import Base
import Checkpoint
import Foundation
import Testing

/// Files that change under a running command end in a clear error naming
/// the file (exit 74), never a crash.
@Suite struct FaultTests {
    private func copyOfFixture(_ folder: String) throws -> String {
        let path = folder + "/model.safetensors"
        try FileManager.default.copyItem(atPath: CommandRunner.fixture("models/llama-large-base/model.safetensors"), toPath: path)
        return path
    }

    @Test func faultInAShrunkMappingNamesTheFileAndExits74() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try copyOfFixture(folder)
        let result = try CommandRunner.run([path], program: CommandRunner.builtProgram("smelt-fault-probe"))
        #expect(result.status == 74)
        #expect(result.standardError.hasPrefix("error: \(path): the file changed size or could not be read while mapped"))
        #expect(!result.standardError.contains("without a fault"))
    }
}
