import Base
import Checkpoint
import Merge
#if canImport(Glibc)
import Glibc
#endif

/// Fuzzes `Planner.plan` with a recipe and up to three small models (see
/// `PlannerInput` for the framing).
///
/// Planning must return a plan or throw a `SmeltError` whose message is one
/// line. A plan must be one the writer can carry out: every tensor's shape
/// converts to `Int` and matches its element and byte counts and those of
/// its sources, names are unique, and the output config's
/// `num_hidden_layers` counts the layers the output tensors are in.
public enum PlannerTarget {
    public static let recipeFile = "recipe.yaml"
    /// FUZZ_VERBOSE=1 prints each input's outcome, to check what seeds reach.
    static let isVerbose = getenv("FUZZ_VERBOSE") != nil

    public static func run(_ input: UnsafeRawBufferPointer) {
        let parts = PlannerInput(Array(input))
        let recipe: Recipe
        do {
            recipe = try Recipe(yaml: parts.recipe, file: recipeFile)
        } catch {
            report("recipe refused: \(error)")
            checkMessage(error, from: "Recipe(yaml:file:)")
            return
        }
        let references = (recipe.baseModel.map { [$0] } ?? []) + recipe.slices.flatMap { $0.sources.map(\.model) }
        guard references.allSatisfy({ PlannerScratch.isInside($0.text) }) else {
            report("skipped: a model path leaves the scratch folder")
            return
        }
        PlannerScratch.reset()
        mustSucceed("write the models") { () throws(SystemError) in try parts.writeModels() }
        let plan: MergePlan
        do {
            plan = try Planner.plan(recipe, environment: [:])
        } catch {
            report("plan refused: \(error)")
            checkMessage(error, from: "Planner.plan")
            return
        }
        report("planned \(plan.tensors.count) tensors, config \(plan.config.map { "\($0.count) bytes" } ?? "none")")
        checkTensors(plan)
        checkConfig(plan)
        _ = plan.digest
        do {
            _ = try ShardLayout.plan(tensors: plan.outputTensors, shardSizeLimit: plan.settings.shardSizeLimit)
        } catch {
            invariant(false, "the writer refused the plan's tensors: \(error)")
        }
    }

    static func report(_ text: @autoclosure () -> String) {
        if isVerbose { writeToStandardError("planner: " + text()) }
    }

    /// Errors are typed and print as one line: messages may quote names
    /// from files verbatim, and `smelt` escapes them (`TerminalText`) when
    /// it prints them, so the escaped message is what must be one line.
    static func checkMessage(_ error: any Error, from call: String) {
        guard let error = error as? any SmeltError else {
            invariant(false, "\(call) threw \(type(of: error)), not a SmeltError: \(error)")
            return
        }
        for text in [error.message, error.description].map(TerminalText.escaped) {
            let isOneLine = !text.utf8.contains(0x0A) && !text.utf8.contains(0x0D)
            invariant(isOneLine, "\(call) threw a message of several lines: \(text.debugDescription)")
        }
    }

    static func checkTensors(_ plan: MergePlan) {
        var names = Set<String>()
        for tensor in plan.tensors {
            let name = tensor.name.debugDescription
            invariant(!tensor.name.isEmpty, "a planned tensor has an empty name")
            invariant(names.insert(tensor.name).inserted, "tensor \(name) planned twice")
            guard let elementCount = checkedElementCount(tensor.shape) else {
                invariant(false, "\(name): shape \(tensor.shape) does not fit Int")
                return
            }
            invariant(
                tensor.elementCount == elementCount,
                "\(name): \(tensor.elementCount) elements in \(tensor.shape)")
            let byteCount = tensor.outputDType.byteCount(shape: tensor.shape)
            invariant(
                byteCount != nil && byteCount == tensor.byteCount,
                "\(name): \(tensor.byteCount) bytes for \(tensor.outputDType) \(tensor.shape)")
            for source in tensor.sources {
                let sourceName = source.tensorName.debugDescription
                invariant(source.shape == tensor.shape, "\(name): source \(sourceName) has shape \(source.shape)")
                invariant(
                    source.dtype.byteCount(shape: source.shape) == source.byteCount,
                    "\(sourceName): \(source.byteCount) bytes for \(source.dtype) \(source.shape)")
            }
            switch tensor.work {
            case .copy(let source):
                invariant(
                    source.dtype == tensor.outputDType,
                    "\(name): copies \(source.dtype) to \(tensor.outputDType)")
            case .merge(_, let context, _, let models):
                invariant(context.shape == tensor.shape.map { Int($0) }, "\(name): context shape \(context.shape)")
                invariant(
                    context.modelCount == models.count,
                    "\(name): \(context.modelCount) models, \(models.count) inputs")
                for (parameter, values) in context.perModel {
                    invariant(
                        values.count == models.count,
                        "\(name): \(values.count) \(parameter), \(models.count) inputs")
                }
            }
        }
    }

    /// The output config, when there is one, is a JSON object whose
    /// `num_hidden_layers`, when a count, is the output's layer count.
    static func checkConfig(_ plan: MergePlan) {
        guard let config = plan.config else { return }
        guard let root = try? JSONScanner.parse(config), case .object(let members) = root.value else {
            let text = String(decoding: config, as: UTF8.self)
            invariant(false, "the output config is not a JSON object: \(text.debugDescription)")
            return
        }
        let stated = members.first { $0.key == "num_hidden_layers" }?.node.value
        guard case .unsignedInteger(let layerCount)? = stated else { return }
        let layers = Set(plan.tensors.compactMap { layer(of: $0.name) })
        invariant(
            layerCount == UInt64(layers.count),
            "output config says num_hidden_layers \(layerCount), the tensors are in layers \(layers.sorted())")
    }

    /// The product of `shape` when every dimension and the product fit `Int`.
    static func checkedElementCount(_ shape: [UInt64]) -> Int? {
        var product = 1
        for dimension in shape {
            guard let value = Int(exactly: dimension) else { return nil }
            let (next, overflow) = product.multipliedReportingOverflow(by: value)
            if overflow { return nil }
            product = next
        }
        return product
    }

    /// REFERENCE.md, "Recipe semantics": a tensor's layer is the first
    /// `.<digits>.` group of its name (at most 9 digits).
    static func layer(of name: String) -> Int? {
        let bytes = Array(name.utf8)
        for start in bytes.indices where bytes[start] == UInt8(ascii: ".") {
            let digits = bytes[(start + 1)...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            let isGroup = (1...9).contains(digits.count) && digits.endIndex < bytes.count
            if isGroup, bytes[digits.endIndex] == UInt8(ascii: ".") {
                return Int(String(decoding: digits, as: UTF8.self))
            }
        }
        return nil
    }
}
