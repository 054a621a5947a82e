import Base
import Testing

@testable import Tokenize

@Suite struct TokenizerErrorTests {
    @Test func namesFilePlaceAndProblem() {
        let error = TokenizerError(file: "t.json", place: "normalizer.type", problem: "unknown normalizer \"Foo\"")
        #expect(error.description == "t.json: normalizer.type: unknown normalizer \"Foo\"")
        #expect(error.exitCode == .dataError)
        #expect(TokenizerError(file: "t.json", place: "", problem: "empty").description == "t.json: empty")
    }
}
