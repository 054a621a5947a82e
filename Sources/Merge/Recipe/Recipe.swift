import Base
import Checkpoint

/// A merge recipe in mergekit 0.1.5's YAML (REFERENCE.md, "Recipe
/// semantics"), as written: nothing is resolved against the inputs yet.
public struct Recipe: Sendable {
    /// The recipe file, for messages.
    public let file: String
    /// The recipe's bytes as given, kept for the manifest and the model card.
    public let text: String
    public let method: String
    public let methodMark: YAMLMark
    /// The slices; a `models:` recipe is one slice over every layer.
    public let slices: [RecipeSlice]
    /// Whether the recipe used `slices:` (else `models:`).
    public let isSliced: Bool
    public let baseModel: ModelReference?
    /// Top-level `parameters`.
    public let parameters: [ParameterSetting]
    /// mergekit's compute dtype; Smelt computes in Float32 whatever it says.
    public let dtype: DType?
    public let outDType: DType?
    /// Things mergekit accepts that Smelt ignores, one line each.
    public let warnings: [String]
}

/// One output slice: sources merged layer by layer.
public struct RecipeSlice: Sendable {
    public let sources: [SliceSource]
    public let parameters: [ParameterSetting]
    public let mark: YAMLMark
}

/// One model of a slice, with its half-open layer range (nil: every layer).
public struct SliceSource: Sendable {
    public let model: ModelReference
    public let layerRange: Range<Int>?
    public let layerRangeMark: YAMLMark?
    public let parameters: [ParameterSetting]
}

/// A model as the recipe names it: a path, or a Hugging Face `org/name`.
public struct ModelReference: Sendable, Hashable {
    public let text: String
    public let mark: YAMLMark
    public static func == (lhs: ModelReference, rhs: ModelReference) -> Bool { lhs.text == rhs.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}

/// `name: value` under some `parameters:` mapping.
public struct ParameterSetting: Sendable, Equatable {
    public let name: String
    public let value: ParameterValue
    /// Where the key is; each number of `value` carries its own place.
    public let mark: YAMLMark

    public init(name: String, value: ParameterValue, mark: YAMLMark) {
        self.name = name
        self.value = value
        self.mark = mark
    }
}

/// A parameter value: a number (booleans are 1 and 0), a gradient across
/// layers, or a list of `filter`ed values tried in order.
public indirect enum ParameterValue: Sendable, Equatable {
    case number(ParameterNumber)
    case gradient([ParameterNumber])
    case filtered([FilteredValue])

    /// Every number the value holds, in recipe order, each with where it
    /// came from: `point` is its index in a gradient, `filter` the filter
    /// of the entry it is in.
    public var numbers: [(number: ParameterNumber, point: Int?, filter: String?)] {
        switch self {
        case .number(let number): [(number, nil, nil)]
        case .gradient(let points): points.enumerated().map { ($1, $0, nil) }
        case .filtered(let entries):
            entries.flatMap { entry in entry.value.numbers.map { ($0.number, $0.point, $0.filter ?? entry.filter) } }
        }
    }
}

/// A number as the recipe writes it, with the place of its text for
/// messages. Two numbers are equal when their values are: where a number
/// was written is not what it means.
public struct ParameterNumber: Sendable, Equatable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public let value: Double
    /// nil for a number made in code.
    public let mark: YAMLMark?

    public init(_ value: Double, mark: YAMLMark?) {
        self.value = value
        self.mark = mark
    }
    public init(floatLiteral value: Double) { self.init(value, mark: nil) }
    public init(integerLiteral value: Int) { self.init(Double(value), mark: nil) }

    public static func == (lhs: ParameterNumber, rhs: ParameterNumber) -> Bool { lhs.value == rhs.value }
}

/// One `{filter, value}` entry; a nil filter (or `*`) matches every tensor.
public struct FilteredValue: Sendable, Equatable {
    public let filter: String?
    public let value: ParameterValue

    public init(filter: String?, value: ParameterValue) {
        self.filter = filter
        self.value = value
    }
}
