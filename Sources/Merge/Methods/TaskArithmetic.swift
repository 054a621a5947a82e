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
    let name: String
    let sparsification: Sparsification
    let electsSign: Bool
    let normalizeByDefault: Bool
    let rescalesByDefault: Bool
    let baseModelUse = BaseModelUse.required

    var parameters: [ParameterDefinition] {
        var definitions = [
            ParameterDefinition("weight", .perModel, default: nil),
            ParameterDefinition("lambda", .global, default: 1),
            ParameterDefinition("normalize", .global, default: normalizeByDefault ? 1 : 0, singleValue: true),
            ParameterDefinition("int8_mask", .global, default: 0, singleValue: true),
        ]
        if sparsification != .none {
            definitions.append(ParameterDefinition("density", .perModel, default: 1))
            definitions.append(
                ParameterDefinition("rescale", .global, default: rescalesByDefault ? 1 : 0, singleValue: true))
        }
        if sparsification == .breadcrumbs { definitions.append(ParameterDefinition("gamma", .perModel, default: 0.01)) }
        if sparsification == .della { definitions.append(ParameterDefinition("epsilon", .perModel, default: 0.15)) }
        return definitions
    }

    func checkModelCount(_ modelCount: Int, hasBase: Bool) -> String? {
        hasBase && modelCount >= 1 ? nil : "needs a base_model and at least one other model"
    }

    func checkParameters(_ context: TensorContext) -> String? {
        guard sparsification != .none else { return nil }
        if let problem = densityProblem(context) { return problem }
        if sparsification == .breadcrumbs {
            for (index, gamma) in context.perModel("gamma").enumerated() where !(gamma >= 0 && gamma < 1) {
                return "gamma \(gamma) of model \(index + 1) is outside [0, 1)"
            }
        }
        if sparsification == .della {
            for (index, (epsilon, density)) in zip(context.perModel("epsilon"), context.perModel("density"))
                .enumerated()
            where density < 1 && !(epsilon >= 0 && density - epsilon > 0 && density + epsilon < 1) {
                return
                    "epsilon \(epsilon) of model \(index + 1) must keep density ± epsilon inside (0, 1) (density \(density))"
            }
        }
        return nil
    }

    func makeKernel(_ context: TensorContext) -> any TensorKernel {
        TaskArithmeticKernel(method: self, context: context)
    }
}
