import Base
/// Every merge method Smelt knows, by its mergekit name.
public enum MethodRegistry {
    public static let methods: [any MergeMethod] = [
        LinearMethod(),
        TaskArithmeticMethod(
            name: "task_arithmetic", sparsification: .none, electsSign: false, normalizeByDefault: false,
            rescalesByDefault: false),
        TaskArithmeticMethod(
            name: "ties", sparsification: .magnitude, electsSign: true, normalizeByDefault: true,
            rescalesByDefault: false),
        TaskArithmeticMethod(
            name: "dare_linear", sparsification: .random, electsSign: false, normalizeByDefault: false,
            rescalesByDefault: true),
        TaskArithmeticMethod(
            name: "dare_ties", sparsification: .random, electsSign: true, normalizeByDefault: false,
            rescalesByDefault: true),
        TaskArithmeticMethod(
            name: "breadcrumbs", sparsification: .breadcrumbs, electsSign: false, normalizeByDefault: false,
            rescalesByDefault: false),
        TaskArithmeticMethod(
            name: "breadcrumbs_ties", sparsification: .breadcrumbs, electsSign: true, normalizeByDefault: false,
            rescalesByDefault: false),
        TaskArithmeticMethod(
            name: "della", sparsification: .della, electsSign: true, normalizeByDefault: true, rescalesByDefault: true),
        TaskArithmeticMethod(
            name: "della_linear", sparsification: .della, electsSign: false, normalizeByDefault: false,
            rescalesByDefault: true),
        SlerpMethod(),
        NuSlerpMethod(),
        MultiSlerpMethod(),
        KarcherMethod(),
        ModelStockMethod(),
        SCEMethod(),
        NearSwapMethod(),
        ArceeFusionMethod(),
        PassthroughMethod(),
    ]

    public static var names: [String] { methods.map(\.name) }

    public static func method(named name: String) -> (any MergeMethod)? {
        methods.first { $0.name == name }
    }

    /// Every parameter name some method reads.
    public static var parameterNames: Set<String> {
        Set(methods.flatMap { $0.parameters.map(\.name) })
    }
}
