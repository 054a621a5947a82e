import Base
import Model
import TestSupport
import Testing

/// A record's numbers are a function of the model and that record alone
/// (DESIGN.md, "Running a model").
@Suite struct ScoreDeterminismTests {
    @Test(arguments: FidelityTests.models)
    func scoresDoNotDependOnThreadsBudgetOrNeighbours(model: String) throws {
        let references = try TinyModelReference.load(model)
        let records = references.map(\.ids)
        let language = try LanguageModel.open(path: TestFiles.fixture("model/" + model))
        let together = try language.score(records, topK: 5, threads: 1, budget: ByteBudget(limitBytes: 1 << 30))
        let threaded = try language.score(
            records.reversed(), topK: 5, threads: 3, budget: ByteBudget(limitBytes: 32 << 20))
        #expect(Array(threaded.reversed()) == together)
        for (index, record) in records.enumerated() {
            let alone = try language.score([record], topK: 5, threads: 2, budget: ByteBudget(limitBytes: 16 << 20))
            #expect(alone == [together[index]])
        }
    }

    @Test func refusesTokenIDsOutsideTheVocabulary() throws {
        let language = try LanguageModel.open(path: TestFiles.fixture("model/tiny-llama"))
        #expect(throws: ModelError.tokenOutOfRange(id: 1500, vocabularySize: 1500)) {
            try language.score([[1, 1500]], topK: 1, threads: 1, budget: ByteBudget(limitBytes: 16 << 20))
        }
    }
}
