import Base
import Merge
import Testing

@testable import Evolve

/// Issue 17: the search file, mergekit-evolve's genome plus a fitness section.
@Suite struct SearchDefinitionTests {
    static let example = """
        genome:
          models: [expert-a, expert-b]
          base_model: base
          merge_method: ties
          layer_granularity: 10
          normalize: true
          allow_negative_weights: false
          smooth: false
          filters: [self_attn, mlp]
        fitness:
          metric: mean_nll
          max_tokens: 20000
          data:
            - path: fit-a.jsonl
              weight: 1.0
            - path: fit-b.jsonl
              weight: 0.5

        """

    @Test func exampleParsesWithPathsResolvedAgainstTheSearchFile() throws {
        let search = try SearchDefinition(yaml: Array(Self.example.utf8), file: "/runs/one/search.yml")
        #expect(search.file == "/runs/one/search.yml")
        #expect(
            search.genome
                == GenomeDefinition(
                    models: ["/runs/one/expert-a", "/runs/one/expert-b"], baseModel: "/runs/one/base",
                    mergeMethod: "ties", layerGranularity: 10, normalize: true, allowNegativeWeights: false,
                    smooth: false, filters: ["self_attn", "mlp"]))
        #expect(
            search.fitness
                == FitnessDefinition(
                    metric: .meanNLL, maxTokens: 20000,
                    data: [
                        .init(path: "/runs/one/fit-a.jsonl", weight: 1),
                        .init(path: "/runs/one/fit-b.jsonl", weight: 0.5),
                    ]))
        #expect(search.randomInit == false)
    }

    @Test func absentKeysTakeMergekitDefaults() throws {
        let text = """
            genome:
              models: [/m/a, ../b, ./c]
              merge_method: linear
            fitness:
              data: [fit.jsonl]
            random_init: true
            """
        let search = try SearchDefinition(yaml: Array(text.utf8), file: "/s/x/search.yml")
        let genome = search.genome
        #expect(genome.models == ["/m/a", "/s/x/../b", "/s/x/c"])
        #expect(genome.baseModel == nil)
        #expect(genome.layerGranularity == 0 && genome.normalize == nil && genome.normalizes)
        #expect(!genome.allowNegativeWeights && !genome.smooth && genome.filters.isEmpty)
        #expect(
            search.fitness
                == FitnessDefinition(metric: .meanNLL, maxTokens: nil, data: [.init(path: "/s/x/fit.jsonl", weight: 1)])
        )
        #expect(search.randomInit)
    }

    @Test func normalizeDefaultsAsInMergekit() {
        let normalizes = { (method: String) in
            GenomeDefinition(models: ["/a"], baseModel: "/b", mergeMethod: method).normalizes
        }
        #expect(normalizes("ties") && normalizes("dare_ties") && normalizes("linear"))
        #expect(!normalizes("task_arithmetic") && !normalizes("della") && !normalizes("dare_linear"))
    }

    @Test func relativeSearchFileResolvesAgainstTheCurrentDirectory() throws {
        let text = "genome: {models: [a], merge_method: linear}\nfitness: {data: [d.jsonl]}\n"
        let search = try SearchDefinition(yaml: Array(text.utf8), file: "search.yml")
        let current = try FileSystem.resolvedPath(".")
        #expect(search.genome.models == [current + "/a"])
    }

    @Test func missingFileIsUnreadable() {
        #expect {
            try SearchDefinition(contentsOf: "/nowhere/search.yml")
        } throws: { error in
            guard case .unreadableSearch(let file, let cause)? = error as? EvolveError else { return false }
            return file == "/nowhere/search.yml" && cause.isMissingPath
                && (error as? EvolveError)?.exitCode == .missingInput
        }
    }

    /// A valid search whose `GENOME` and `FITNESS` lines a case replaces.
    static func search(genome: String = "", fitness: String = "  data: [fit.jsonl]", top: String = "") -> String {
        "genome:\n  models: [a, b]\n  merge_method: ties\n  base_model: base\n" + genome + "fitness:\n" + fitness + "\n"
            + top
    }

    static let badFiles: [(text: String, message: String)] = [
        ("genome: [a\n", "2:1: did not find expected ',' or ']' (while parsing a flow sequence started at 1:9)"),
        ("- genome\n", "1:1: the search file must be a mapping, not a list"),
        (search(top: "genom: {}\n"), "7:1: unknown key 'genom' in the search file (did you mean 'genome'?)"),
        (search(top: "tasks: [arc_easy]\n"), "7:1: smelt evolve scores a 'fitness' section instead of lm-eval tasks"),
        (
            search(top: "limit: 100\n"),
            "7:1: 'limit' is an lm-eval setting; cap the tokens scored with 'fitness: {max_tokens: N}' instead"
        ),
        (
            search(top: "num_fewshot: 5\n"),
            "7:1: 'num_fewshot' is an lm-eval setting; smelt evolve scores the 'fitness' data and does not use it"
        ),
        (search(top: "random_init: 3\n"), "7:14: 'random_init' must be true or false, not a number"),
        ("fitness:\n  data: [f]\n", "1:1: the search file has no 'genome'"),
        (
            "genome: {models: [a], merge_method: linear}\n",
            "1:1: the search file has no 'fitness' (the data candidates are scored on)"
        ),
        ("genome: []\nfitness: {data: [f]}\n", "1:9: 'genome' must be a mapping, not a list"),
        (
            search(genome: "  layer_granularty: 4\n"),
            "5:3: unknown key 'layer_granularty' in 'genome' (did you mean 'layer_granularity'?)"
        ),
        (
            search(genome: "  tokenizer_source: base\n"),
            "5:3: 'tokenizer_source' is not supported by smelt evolve: every candidate keeps the models' shared"
                + " tokenizer; remove the key"
        ),
        ("genome: {models: [a]}\nfitness: {data: [f]}\n", "1:9: 'genome' has no 'merge_method'"),
        (
            "genome: {models: [a], merge_method: tie}\nfitness: {data: [f]}\n",
            "1:37: unknown merge_method 'tie' (did you mean 'ties'?); smelt evolve searches linear, task_arithmetic,"
                + " ties, dare_ties, dare_linear, breadcrumbs_ties, della"
        ),
        (
            "genome: {models: [a], merge_method: slerp}\nfitness: {data: [f]}\n",
            "1:37: merge_method 'slerp' is not supported by smelt evolve yet"
        ),
        (
            "genome: {models: [a], merge_method: dare_ties}\nfitness: {data: [f]}\n",
            "1:9: merge_method 'dare_ties' needs a 'base_model'"
        ),
        ("genome: {merge_method: linear}\nfitness: {data: [f]}\n", "1:9: 'genome' has no 'models'"),
        (
            "genome: {models: a, merge_method: linear}\nfitness: {data: [f]}\n",
            "1:18: 'models' must be a list, not a string"
        ),
        ("genome: {models: [], merge_method: linear}\nfitness: {data: [f]}\n", "1:18: 'models' is empty"),
        (
            "genome: {models: [a, ./a], merge_method: linear}\nfitness: {data: [f]}\n",
            "1:22: model '/s/a' is listed twice in 'models'"
        ),
        (
            "genome: {models: [[a]], merge_method: linear}\nfitness: {data: [f]}\n",
            "1:19: 'models' must be a string, not a list"
        ),
        (
            search(genome: "  layer_granularity: 1.5\n"),
            "5:22: 'layer_granularity' must be a whole number, not a number"
        ),
        (search(genome: "  layer_granularity: -1\n"), "5:22: 'layer_granularity' is -1; it must be at least 0"),
        (search(genome: "  smooth: maybe\n"), "5:11: 'smooth' must be true or false, not a string"),
        (search(genome: "  filters: [mlp, mlp]\n"), "5:18: filter 'mlp' is listed twice"),
        (search(fitness: "  data: []"), "6:9: 'data' is empty"),
        (search(fitness: "  metric: mean_nll"), "6:3: 'fitness' has no 'data'"),
        (
            search(fitness: "  metric: nll\n  data: [f]"),
            "6:11: unknown metric 'nll'; the metrics are mean_nll"
        ),
        (
            search(fitness: "  max_token: 5\n  data: [f]"),
            "6:3: unknown key 'max_token' in 'fitness' (did you mean 'max_tokens'?)"
        ),
        (search(fitness: "  max_tokens: 0\n  data: [f]"), "6:15: 'max_tokens' is 0; it must be at least 1"),
        (
            search(fitness: "  data:\n    - {path: f, weight: 0}"),
            "7:25: 'weight' is 0.0; it must be a finite number above 0"
        ),
        (
            search(fitness: "  data:\n    - {path: f, weight: -2}"),
            "7:25: 'weight' is -2.0; it must be a finite number above 0"
        ),
        (
            search(fitness: "  data:\n    - {path: f, weight: .inf}"),
            "7:25: 'weight' is inf; it must be a finite number above 0"
        ),
        (search(fitness: "  data:\n    - {path: f, weight: heavy}"), "7:25: 'weight' must be a number, not a string"),
        (search(fitness: "  data:\n    - {weight: 1}"), "7:7: a data entry needs 'path'"),
        (search(fitness: "  data:\n    - {path: f, size: 1}"), "7:17: unknown key 'size' in a data entry"),
    ]

    @Test(arguments: badFiles)
    func refusesBadSearchFilesAtTheirPlace(_ bad: (text: String, message: String)) {
        #expect {
            try SearchDefinition(yaml: Array(bad.text.utf8), file: "/s/search.yml")
        } throws: { error in
            let description = (error as? EvolveError)?.description ?? "\(error)"
            let expected = "/s/search.yml:" + bad.message
            if description != expected { Issue.record("got \(description)\nnot \(expected)") }
            return description == expected && (error as? EvolveError)?.exitCode == .dataError
        }
    }
}
