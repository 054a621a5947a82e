import Base
import Testing

/// Strings that Swift calls equal by canonical equivalence are different
/// exact strings, in equality, hashing and dictionary keys.
@Suite struct ExactStringTests {
    @Test func separatesCanonicallyEquivalentStrings() {
        let precomposed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(precomposed == decomposed)  // Swift's own equality, which ExactString must not use
        #expect(ExactString(precomposed) != ExactString(decomposed))
        #expect(ExactString(precomposed) == ExactString("caf" + "\u{E9}"))
        let ids = [ExactString(precomposed): 1, ExactString(decomposed): 2]
        #expect(ids.count == 2)
        #expect(ids[ExactString(decomposed)] == 2)
    }

    @Test func hashesBridgedAndNativeStringsAlike() {
        let native = "t\u{F6}ken"
        let built = String(decoding: Array(native.utf8), as: UTF8.self)
        #expect(ExactString(native).hashValue == ExactString(built).hashValue)
    }
}
