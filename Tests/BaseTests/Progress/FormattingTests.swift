import Base
import Testing

/// Human-readable numbers and lists (Formatting).
@Suite struct FormattingTests {
    @Test(arguments: [(0, ""), (2, "f1, f2"), (12, "f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12")])
    func listShowsUpToADozenNamesWhole(count: Int, expected: String) {
        #expect(Formatting.list((0..<count).map { "f\($0 + 1)" }) == expected)
    }

    @Test(arguments: [(13, 1), (1000, 988)])
    func listShowsADozenNamesThenHowManyMore(count: Int, more: Int) {
        let text = Formatting.list((1...count).map { "f\($0)" })
        #expect(text == "f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, and \(more) more")
    }
}
