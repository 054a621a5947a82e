import Base
import Testing

/// The byte-keyed table behind vocabularies and JSON duplicate-key checks.
@Suite struct ByteKeyTableTests {
    @Test func keepsCanonicallyEquivalentSpellingsApart() {
        var table = ByteKeyTable()
        #expect(table.insert("\u{E9}", value: 1) == nil)
        #expect(table.insert("e\u{301}", value: 2) == nil)
        #expect(table.value(for: "\u{E9}") == 1)
        #expect(table.value(for: "e\u{301}") == 2)
        #expect(table.count == 2)
    }

    @Test func keepsTheFirstValueOfADuplicateAndReturnsIt() {
        var table = ByteKeyTable()
        #expect(table.insert("a", value: 1) == nil)
        #expect(table.insert("a", value: 9) == 1)
        #expect(table.value(for: "a") == 1)
        #expect(table.count == 1)
    }

    @Test func findsEveryKeyAfterGrowing() {
        var table = ByteKeyTable(minimumCapacity: 2)
        for index in 0..<50_000 { #expect(table.insert("key \(index)", value: Int32(index)) == nil) }
        #expect(table.count == 50_000)
        var found = 0
        for index in 0..<50_000 where table.value(for: "key \(index)") == Int32(index) { found += 1 }
        #expect(found == 50_000)
        #expect(table.value(for: "key 50000") == nil)
    }

    @Test func holdsTheEmptyKeyAndKeysOfEveryLength() {
        var table = ByteKeyTable()
        table.insert("", value: 7)
        for length in 1...40 { table.insert(String(repeating: "x", count: length), value: Int32(length)) }
        #expect(table.value(for: "") == 7)
        for length in 1...40 { #expect(table.value(for: String(repeating: "x", count: length)) == Int32(length)) }
        #expect(table.value(for: String(repeating: "x", count: 41)) == nil)
    }
}
