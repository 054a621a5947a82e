import Base
/// Whether a parameter belongs to each model or to the whole merge
/// (REFERENCE.md, "Recipe semantics", precedence).
public enum ParameterScope: Sendable { case perModel, global }

/// A parameter a method reads, with its default (nil: required) and the
/// values it may take.
public struct ParameterDefinition: Sendable {
    public let name: String
    public let scope: ParameterScope
    public let defaultValue: Double?
    /// Flags and counts must be one value, not a gradient or filter list.
    public let isSingleValue: Bool
    /// Checked for every number the recipe gives, gradient points and
    /// filtered values included, before any tensor is planned.
    public let bounds: ParameterBounds

    public init(
        _ name: String, _ scope: ParameterScope, default defaultValue: Double?, singleValue: Bool = false,
        bounds: ParameterBounds = .finite
    ) {
        self.name = name
        self.scope = scope
        self.defaultValue = defaultValue
        isSingleValue = singleValue
        self.bounds = bounds
    }
}

/// Why the parameters resolved for one tensor do not suit a method, when
/// each value is allowed on its own (DELLA's density ± epsilon).
public struct ParameterProblem: Sendable, Equatable {
    /// The parameter whose value the message is about.
    public let parameter: String
    /// Which non-base model the value belongs to; nil for a global one.
    public let modelIndex: Int?
    public let problem: String

    public init(parameter: String, modelIndex: Int?, problem: String) {
        self.parameter = parameter
        self.modelIndex = modelIndex
        self.problem = problem
    }
}

/// How a method uses `base_model`.
public enum BaseModelUse: Sendable { case ignored, optional, required }

/// Everything a method knows about one output tensor: its shape, the
/// models, and the parameters resolved for this tensor.
public struct TensorContext: Sendable {
    public let name: String
    public let shape: [Int]
    /// Models other than the base, in recipe order.
    public let modelCount: Int
    public let hasBase: Bool
    /// Per-model parameters, one value per non-base model.
    public let perModel: [String: [Double]]
    public let global: [String: Double]
    public let seed: UInt64

    public init(
        name: String, shape: [Int], modelCount: Int, hasBase: Bool, perModel: [String: [Double]],
        global: [String: Double], seed: UInt64
    ) {
        self.name = name
        self.shape = shape
        self.modelCount = modelCount
        self.hasBase = hasBase
        self.perModel = perModel
        self.global = global
        self.seed = seed
    }

    public var elementCount: Int { shape.reduce(1, *) }
    /// Elements per row: the last dimension (a 1-D tensor or a scalar is one row).
    public var rowLength: Int { max(1, shape.last ?? 1) }

    /// A global parameter (the planner has filled in defaults).
    public func global(_ name: String) -> Double { global[name] ?? 0 }
    /// A per-model parameter, one value per model.
    public func perModel(_ name: String) -> [Double] { perModel[name] ?? Array(repeating: 0, count: modelCount) }
    public func flag(_ name: String) -> Bool { global(name) != 0 }
}

/// A merge method (REFERENCE.md, "Methods"): a small value that declares
/// its parameters and how it uses the base model, checks the model count,
/// and makes a kernel for each tensor. All methods live in `MethodRegistry`.
public protocol MergeMethod: Sendable {
    var name: String { get }
    var parameters: [ParameterDefinition] { get }
    var baseModelUse: BaseModelUse { get }
    /// nil when `modelCount` non-base models suit the method, else why not.
    func checkModelCount(_ modelCount: Int, hasBase: Bool) -> String?
    /// nil when the resolved values suit the method together, else why
    /// not (each value is already inside its definition's bounds).
    func checkParameters(_ context: TensorContext) -> ParameterProblem?
    func makeKernel(_ context: TensorContext) -> any TensorKernel
    /// The working memory of this method's kernels beyond the worker
    /// buffers, for the memory estimate.
    var workingMemory: WorkingMemory { get }
}

/// What a method's kernels hold beyond the worker buffers: radix
/// histograms in their reduction passes (`histogramsPerModel` for each
/// model plus `histograms`), and scratch per chunk element (keys, masks,
/// per-model contributions: `scratchBytesPerElementPerModel` for each
/// model plus `scratchBytesPerElement`).
public struct WorkingMemory: Sendable, Equatable {
    public let histogramsPerModel: Int
    public let histograms: Int
    public let scratchBytesPerElementPerModel: Int
    public let scratchBytesPerElement: Int

    public init(
        histogramsPerModel: Int = 0, histograms: Int = 0, scratchBytesPerElementPerModel: Int = 0,
        scratchBytesPerElement: Int = 0
    ) {
        self.histogramsPerModel = histogramsPerModel
        self.histograms = histograms
        self.scratchBytesPerElementPerModel = scratchBytesPerElementPerModel
        self.scratchBytesPerElement = scratchBytesPerElement
    }

    /// Selections by rank: a histogram per model, and keys, masks and
    /// contributions.
    public static let selection = WorkingMemory(
        histogramsPerModel: 1, scratchBytesPerElementPerModel: 4, scratchBytesPerElement: 9)
    /// Breadcrumbs: a top and a bottom selection per model.
    public static let twoSidedSelection = WorkingMemory(
        histogramsPerModel: 2, scratchBytesPerElementPerModel: 4, scratchBytesPerElement: 9)
    /// Elementwise methods with nothing beyond the worker buffers.
    public static let elementwise = WorkingMemory()

    public func histogramCount(modelCount: Int) -> Int { histogramsPerModel * modelCount + histograms }

    public func scratchBytesPerElement(modelCount: Int) -> Int {
        scratchBytesPerElementPerModel * modelCount + scratchBytesPerElement
    }
}

extension MergeMethod {
    /// Unless a method says otherwise, the most any kernel holds.
    public var workingMemory: WorkingMemory { .selection }
    public func checkModelCount(_ modelCount: Int, hasBase: Bool) -> String? {
        modelCount + (hasBase ? 1 : 0) >= 1 ? nil : "needs at least one model"
    }
    public func checkParameters(_ context: TensorContext) -> ParameterProblem? { nil }
}
