import Foundation

/// Stand-in until the Oniguruma-compatible matcher lands: NSRegularExpression.
public struct TokenPattern: @unchecked Sendable {
    private let expression: NSRegularExpression

    public init(_ pattern: String) throws(TokenPatternError) {
        do {
            expression = try NSRegularExpression(pattern: pattern)
        } catch {
            throw TokenPatternError(offset: 0, problem: "\(error)")
        }
    }

    public func forEachMatch(in text: UnsafeBufferPointer<Unicode.Scalar>, _ body: (Range<Int>) -> Void) {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text)
        let string = String(view)
        var utf16ToScalar: [Int] = []
        utf16ToScalar.reserveCapacity(text.count * 2 + 1)
        for (index, scalar) in text.enumerated() {
            utf16ToScalar.append(index)
            if scalar.value > 0xFFFF { utf16ToScalar.append(index) }
        }
        utf16ToScalar.append(text.count)
        let whole = NSRange(location: 0, length: utf16ToScalar.count - 1)
        for match in expression.matches(in: string, range: whole) {
            body(utf16ToScalar[match.range.location]..<utf16ToScalar[match.range.location + match.range.length])
        }
    }

    public func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        text.withUnsafeBufferPointer { buffer in forEachMatch(in: buffer) { result.append($0) } }
        return result
    }
}

public struct TokenPatternError: Error, Equatable, Sendable {
    public let offset: Int
    public let problem: String
}
