import Base
import Checkpoint

/// Where one input tensor's bytes are.
public struct TensorSource: Sendable {
    public let file: SafeTensorsFile
    public let tensorName: String
    public let dtype: DType
    public let shape: [UInt64]
    /// Bytes of the tensor's data.
    public let byteCount: UInt64
    /// Absolute offset of the tensor's first byte in `file`.
    public let fileOffset: UInt64
    /// Index of the model in the plan's model list.
    public let modelIndex: Int
}

/// One output tensor of a merge plan: what is computed, from what, into
/// which dtype.
public struct PlannedTensor: Sendable {
    public enum Work: Sendable {
        /// A merge method over the base (when it takes one) and the models.
        case merge(method: any MergeMethod, context: TensorContext, base: TensorSource?, models: [TensorSource])
        /// Bytes copied unchanged (non-float tensors, taken from the base).
        case copy(TensorSource)
    }

    public let name: String
    public let shape: [UInt64]
    public let outputDType: DType
    public let work: Work

    public var elementCount: Int { shape.reduce(1) { $0 * Int($1) } }
    public var byteCount: UInt64 { outputDType.byteCount(shape: shape) ?? 0 }

    /// Every input tensor read for this one.
    public var sources: [TensorSource] {
        switch work {
        case .merge(_, _, let base, let models): (base.map { [$0] } ?? []) + models
        case .copy(let source): [source]
        }
    }
}
