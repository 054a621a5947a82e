import Base
import Checkpoint

/// Where one input tensor's bytes are.
public struct TensorSource: Sendable {
    /// The file that stores it, read through `TensorReader`.
    public let reader: any TensorReader
    /// The tensor's index in `reader.tensorInfos`.
    public let tensorIndex: Int
    public let tensorName: String
    public let dtype: DType
    public let shape: [UInt64]
    /// Bytes of the tensor's data.
    public let byteCount: UInt64
    /// Index of the model in the plan's model list.
    public let modelIndex: Int

    /// Elements per encoded block of the stored tensor (1 for plain dtypes).
    public var blockElementCount: Int { reader.tensorInfos[tensorIndex].blockElementCount }
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
