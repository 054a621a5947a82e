import Base
/// How the generalized task-arithmetic core prunes each task vector
/// (REFERENCE.md, "The generalized task-arithmetic core").
enum Sparsification: Sendable, Equatable {
    /// Keep everything (task_arithmetic).
    case none
    /// Keep the ⌊d·N⌋ largest magnitudes (ties).
    case magnitude
    /// Keep each element with probability d (dare).
    case random
    /// Drop the γ·N largest and enough of the smallest that d·N remain.
    case breadcrumbs
    /// Per row, keep with a probability that grows with the magnitude rank.
    case della
}

/// task_arithmetic, ties, dare_linear, dare_ties, breadcrumbs,
/// breadcrumbs_ties, della and della_linear: one core, four settings
/// (STYLE.md: settings of one core, not copies).
struct TaskArithmeticMethod: MergeMethod {
    /// Without pruning by rank, no histograms; random pruning keeps a
    /// Float32 mask per element.
    var workingMemory: WorkingMemory {
        switch sparsification {
        case .none: .elementwise
        case .random: WorkingMemory(scratchBytesPerElement: 4)
        case .magnitude: .selection
        case .breadcrumbs: .twoSidedSelection
        // Ranks per row (no histograms); keep multipliers and contributions.
        case .della: WorkingMemory(scratchBytesPerElementPerModel: 4, scratchBytesPerElement: 9)
        }
    }
    let name: String
    let sparsification: Sparsification
    let electsSign: Bool
    let normalizeByDefault: Bool
    let rescalesByDefault: Bool
    let baseModelUse = BaseModelUse.required

    var parameters: [ParameterDefinition] {
        // Weights and lambda may be negative (a task vector subtracted).
        var definitions = [
            ParameterDefinition("weight", .perModel, default: nil),
            ParameterDefinition("lambda", .global, default: 1),
            ParameterDefinition("normalize", .global, default: normalizeByDefault ? 1 : 0, singleValue: true),
            ParameterDefinition("int8_mask", .global, default: 0, singleValue: true),
        ]
        if sparsification != .none {
            // A fraction of each task vector kept (REFERENCE.md, step 2).
            definitions.append(ParameterDefinition("density", .perModel, default: 1, bounds: .positiveFraction))
            definitions.append(
                ParameterDefinition("rescale", .global, default: rescalesByDefault ? 1 : 0, singleValue: true))
        }
        if sparsification == .breadcrumbs {
            // A fraction of the largest magnitudes dropped; all of them would leave nothing.
            definitions.append(ParameterDefinition("gamma", .perModel, default: 0.01, bounds: .fractionBelowOne))
        }
        if sparsification == .della {
            // A spread of keep probabilities; density ± epsilon is checked on the resolved values.
            definitions.append(ParameterDefinition("epsilon", .perModel, default: 0.15, bounds: .fractionBelowOne))
        }
        return definitions
    }

    func checkModelCount(_ modelCount: Int, hasBase: Bool) -> String? {
        hasBase && modelCount >= 1 ? nil : "needs a base_model and at least one other model"
    }

    /// DELLA's keep probabilities run from density − epsilon to density +
    /// epsilon, which must stay inside (0, 1) (mergekit 0.1.5 refuses
    /// them otherwise); a density of 1 keeps everything and ignores epsilon.
    func checkParameters(_ context: TensorContext) -> ParameterProblem? {
        guard sparsification == .della else { return nil }
        for (index, (epsilon, density)) in zip(context.perModel("epsilon"), context.perModel("density")).enumerated()
        where density < 1 && !(density - epsilon > 0 && density + epsilon < 1) {
            return ParameterProblem(
                parameter: "epsilon", modelIndex: index,
                problem: "density ± epsilon must stay inside (0, 1) (density \(density))")
        }
        return nil
    }

    func makeKernel(_ context: TensorContext) -> any TensorKernel {
        TaskArithmeticKernel(method: self, context: context)
    }
}
