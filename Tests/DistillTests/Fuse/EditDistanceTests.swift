import Distill
import Testing

@Suite struct EditDistanceTests {
    @Test(arguments: [
        ("kitten", "sitting", 3), ("", "", 0), ("", "abc", 3), ("abc", "", 3), ("flaw", "lawn", 2),
        ("abc", "abc", 0), ("abc", "acb", 2), ("intention", "execution", 5), ("a", "b", 1),
    ])
    func matchesKnownDistances(a: String, b: String, expected: Int) {
        #expect(EditDistance.distance(Array(a.utf8), Array(b.utf8)) == expected)
        #expect(EditDistance.distance(Array(b.utf8), Array(a.utf8)) == expected)
    }

    @Test func matchesTheFullMatrixOnRandomStrings() {
        var random = SplitMix64(state: 41)
        for _ in 0..<2000 {
            let alphabet = 1 + random.below(4)
            let a = random.bytes(length: random.below(25), alphabet: alphabet)
            let b = random.bytes(length: random.below(25), alphabet: alphabet)
            #expect(EditDistance.distance(a, b) == Reference.editDistance(a, b), "\(a) \(b)")
        }
    }

    @Test func limitedDistanceIsExactUpToTheLimitAndAboveItOtherwise() {
        var random = SplitMix64(state: 42)
        var row: [Int32] = []
        for _ in 0..<4000 {
            let alphabet = 1 + random.below(5)
            let a = random.bytes(length: random.below(20), alphabet: alphabet)
            let b = random.bytes(length: random.below(20), alphabet: alphabet)
            let limit = random.below(12) - 1
            let exact = Reference.editDistance(a, b)
            let limited = a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in EditDistance.distance(a, b, limit: limit, row: &row) }
            }
            if exact <= limit {
                #expect(limited == exact, "\(a) \(b) limit \(limit)")
            } else {
                #expect(limited > limit, "\(a) \(b) limit \(limit)")
            }
        }
    }

    @Test func aRowSizedForShortStringsGrowsForLongerOnes() {
        var row: [Int32] = [0, 0]
        let a = [UInt8](repeating: 1, count: 30)
        let b = [UInt8](repeating: 2, count: 28)
        let distance = a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in EditDistance.distance(a, b, limit: 100, row: &row) }
        }
        #expect(distance == 30)
        #expect(row.count >= 31)
    }
}
