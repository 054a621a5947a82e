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
    public let mark: YAMLMark
}

/// A parameter value: a number (booleans are 1 and 0), a gradient across
/// layers, or a list of `filter`ed values tried in order.
public indirect enum ParameterValue: Sendable, Equatable {
    case number(Double)
    case gradient([Double])
    case filtered([FilteredValue])
}

/// One `{filter, value}` entry; a nil filter (or `*`) matches every tensor.
public struct FilteredValue: Sendable, Equatable {
    public let filter: String?
    public let value: ParameterValue
}
