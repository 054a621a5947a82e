import Base

/// The values a parameter may take: an interval of the numbers that are
/// finite in Float32, the precision the kernels compute in (a value whose
/// Float32 conversion is infinite would reach them as an infinity).
public struct ParameterBounds: Sendable, Equatable {
    public let lower: Double?
    public let lowerIsOpen: Bool
    public let upper: Double?
    public let upperIsOpen: Bool

    public init(lower: Double?, lowerIsOpen: Bool = false, upper: Double?, upperIsOpen: Bool = false) {
        self.lower = lower
        self.lowerIsOpen = lowerIsOpen
        self.upper = upper
        self.upperIsOpen = upperIsOpen
    }

    /// Any number finite in Float32.
    public static let finite = ParameterBounds(lower: nil, upper: nil)
    /// [0, ∞)
    public static let nonNegative = ParameterBounds(lower: 0, upper: nil)
    /// (0, ∞)
    public static let positive = ParameterBounds(lower: 0, lowerIsOpen: true, upper: nil)
    /// [0, 1]
    public static let unitInterval = ParameterBounds(lower: 0, upper: 1)
    /// (0, 1]: a fraction kept, of which at least something is.
    public static let positiveFraction = ParameterBounds(lower: 0, lowerIsOpen: true, upper: 1)
    /// [0, 1): a fraction dropped, of which not everything may be.
    public static let fractionBelowOne = ParameterBounds(lower: 0, upper: 1, upperIsOpen: true)

    /// Whether `value` is finite in Float32 and inside the interval.
    public func contains(_ value: Double) -> Bool {
        guard Float(value).isFinite else { return false }
        if let lower, lowerIsOpen ? !(value > lower) : !(value >= lower) { return false }
        if let upper, upperIsOpen ? !(value < upper) : !(value <= upper) { return false }
        return true
    }

    /// Why `value` is not allowed, to follow "is <value>, " in a message;
    /// nil when it is allowed.
    public func problem(with value: Double) -> String? {
        if !value.isFinite { return "not a finite number" }
        if !Float(value).isFinite {
            return "not finite in Float32, the precision Smelt computes in (largest \(Float.greatestFiniteMagnitude))"
        }
        return contains(value) ? nil : "outside \(self)"
    }
}

extension ParameterBounds: CustomStringConvertible {
    /// Interval notation: `(0, 1]`, `[0, ∞)`.
    public var description: String {
        let low = lower.map { Self.text($0) } ?? "-∞"
        let high = upper.map { Self.text($0) } ?? "∞"
        return (lower == nil || lowerIsOpen ? "(" : "[") + low + ", " + high + (upper == nil || upperIsOpen ? ")" : "]")
    }

    /// `1`, not `1.0`, for whole bounds.
    private static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}
