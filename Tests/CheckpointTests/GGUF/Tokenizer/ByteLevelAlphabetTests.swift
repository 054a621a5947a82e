import Base
import Testing

@testable import Checkpoint

/// GPT-2's byte alphabet and the added-token rules of the `tokenizers` library.
@Suite struct ByteLevelAlphabetTests {
    @Test func givesEachByteItsOwnPrintableCharacter() {
        let characters = ByteLevelAlphabet.characters
        #expect(characters.count == 256)
        #expect(Set(characters).count == 256)
        #expect(characters[0x20] == "Ġ" && characters[0x0A] == "Ċ" && characters[0x09] == "ĉ")
        #expect(characters[0x41] == "A" && characters[0xE9] == "é" && characters[0xAD] == "Ń")
        #expect(characters.allSatisfy(ByteLevelAlphabet.contains))
        #expect(!ByteLevelAlphabet.contains(" ") && !ByteLevelAlphabet.contains("\u{144}"))
    }

    @Test func respellsOnlyTokensWithCharactersOutsideTheAlphabet() {
        #expect(ByteLevelAlphabet.spelling("Ġthe") == "Ġthe")
        #expect(ByteLevelAlphabet.spelling("café") == "café")
        #expect(ByteLevelAlphabet.spelling("中") == "ä¸Ń")
        #expect(ByteLevelAlphabet.spelling("a b") == "aĠb")
    }

    @Test func addedTokensKeepVocabularyIDsAndNumberNewOnesPastIt() {
        var table = AddedTokenTable(vocabulary: [ExactString("a"): 0, ExactString("<s>"): 1], vocabularyCount: 2)
        table.add("<new>", isSpecial: true)
        table.add("<s>", isSpecial: true)
        table.add("<other>", isSpecial: false)
        table.add("", isSpecial: true)
        table.add("<new>", isSpecial: false)
        #expect(
            table.byID == [
                .init(id: 1, content: "<s>", isSpecial: true), .init(id: 2, content: "<new>", isSpecial: false),
                .init(id: 3, content: "<other>", isSpecial: false),
            ])
        #expect(table.id(of: "a") == 0 && table.id(of: "<other>") == 3 && table.id(of: "b") == nil)
        #expect(table.contains("<s>") && !table.contains("a"))
    }
}
