import Base
import Checkpoint

/// The output's `README.md`: Hugging Face front matter, then the recipe
/// and the inputs with their digests. Deterministic: no dates, no hosts.
enum ModelCard {
    static func render(plan: MergePlan, inputs: [Manifest.Input]) -> String {
        let reference = plan.baseModelIndex.map { plan.models[$0].reference.text }
        var lines = ["---"]
        if let reference { lines.append("base_model: " + yamlQuoted(reference)) }
        lines += ["library_name: transformers", "tags:", "- merge", "- smelt", "---", ""]
        lines.append("# Merged model")
        lines.append("")
        lines.append(
            "Made with Smelt \(smeltVersion) using the `\(plan.method.name)` method"
                + (reference.map { " with `\($0)` as the base model" } ?? "") + ".")
        lines += ["", "## Models", ""]
        for model in plan.models { lines.append("- `\(model.reference.text)`") }
        lines += [
            "", "## Recipe", "", "```yaml",
            plan.recipe.text.hasSuffix("\n") ? String(plan.recipe.text.dropLast()) : plan.recipe.text, "```", "",
        ]
        lines += ["## Inputs", "", "| file | bytes | header XXH3-64 |", "|---|---|---|"]
        for input in inputs {
            lines.append("| `\(input.pathAsWritten)` | \(input.size) | `\(XXH3.hex(input.headerDigest))` |")
        }
        lines += [
            "",
            "Plan digest (XXH3-64): `\(XXH3.hex(plan.digest))`. Check the output with `smelt verify` (and `--inputs` for the inputs).",
            "",
        ]
        return lines.joined(separator: "\n")
    }

    static func yamlQuoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
