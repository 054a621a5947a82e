import Base
import Evolve
import Merge
import Model

/// `smelt evolve SEARCH.yml OUT [options]` (issue 17).
enum EvolveCommand: Command {
    static let name = "evolve"
    static let overview = """
          evolve SEARCH.yml OUT            CMA-ES search of layer-wise merge coefficients, each
                                           candidate merged and scored in process
        """
    static let spec = ArgumentSpec(
        flags: ["json", "quiet", "restart"],
        options: ["max-evals", "population", "sigma0", "seed", "memory-budget", "threads", "chat-template"],
        positionalCount: 2...2, positionalNames: "SEARCH.yml OUT")

    static let help = """
        usage: smelt evolve SEARCH.yml OUT [options]

        Searches the merge coefficients of mergekit-evolve's genome with CMA-ES
        (the paper's homogeneous method): per group of layers and per model, a
        weight (and a density for the TIES and DARE family), scored on held-out
        data records. Each candidate is merged and scored in process: the
        forward pass of `smelt score` runs on weights merged tensor by tensor,
        through the kernels of `smelt merge`, as the pass reaches them; no
        candidate is written out. Its fitness is the weighted mean of the data
        sets' mean negative log-likelihood over their loss positions, exactly
        what `smelt score` of `smelt merge` of its recipe reports.

        SEARCH.yml holds mergekit-evolve's `genome` section unchanged and a
        `fitness` section in place of lm-eval's tasks (paths relative to it):
          genome:
            models: [expert-a, expert-b]
            base_model: base
            merge_method: ties     # linear, task_arithmetic, ties, dare_ties,
                                   # dare_linear, breadcrumbs_ties, della
            layer_granularity: 10  # layers per group (0: one group)
            normalize: true
            filters: [self_attn, mlp]   # optional: parameters per filter
          fitness:
            metric: mean_nll       # lower is better
            max_tokens: 20000      # optional cap on the tokens per candidate
            data:
              - path: fit-a.jsonl  # data records, as for `smelt score`
                weight: 1.0
        With max_tokens, records are taken from the data sets in turn (each in
        file order) while the total stays within it. Genome values are kept in
        a box by mirroring: weights in [0, 1] ([-1, 1] with
        allow_negative_weights), densities in [0, 1]; the recipe of a genome
        is mergekit's (|weight|, density clamped to [0, 1], normalize by
        default for linear, ties and dare_ties).

        OUT is published like a merge (staged in .OUT.smelt-partial, renamed
        into place when complete) and holds
          recipe.yml            the best recipe, mergekit YAML with absolute
                                model paths (runs in `smelt merge` and mergekit)
          model/                its merge, byte for byte `smelt merge recipe.yml`
          evolve-history.csv    one row per evaluation: generation, evaluation,
                                fitness, seconds, then the genome's values
          evolve-progress.svg   fitness against evaluations (open in a browser)
        A killed run keeps every finished evaluation: run the same command
        again and it replays them and goes on to the result an uninterrupted
        run reaches. --threads, --memory-budget and --max-evals may change
        between the runs; another search file, data, model files, --seed,
        --population or --sigma0 is refused (73); --restart starts over.

        options:
          --max-evals N          evaluations to reach; the generation that reaches
                                 them is finished (default 100)
          --population P         candidates per generation (default 4 + 3 ln n,
                                 n the genome's size)
          --sigma0 S             initial CMA-ES step size (default 1/6, as mergekit)
          --seed N               the search's seed (default 0)
          --chat-template FILE   for chat records of models without a template
          --memory-budget SIZE   peak memory of a candidate's merge and forward
                                 pass (default: 1G or a quarter of RAM)
          --threads N            worker threads (default: online CPUs); changes
                                 no result
          --restart              discard the evaluations of an interrupted run
          --json                 print the result as one JSON object
          --quiet                no progress line
          -h, --help             show this help

        examples:
          smelt evolve search.yml evolved --max-evals 60
          smelt merge evolved/recipe.yml again     # the same bytes as evolved/model

        exit codes: 0 done, 64 usage (a budget too small for one candidate
        included), 65 malformed search file (line and column), data or model,
        66 a model or data file missing, 73 OUT exists or the staged run is
        another search's, 74 I/O error.
        """

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        var options = EvolveOptions(threads: try OptionValues.threadCount(arguments))
        options.memoryBudget = try OptionValues.memoryBudgetBytes(arguments)
        options.restart = arguments.flags.contains("restart")
        if let text = arguments.options["max-evals"] {
            options.maxEvaluations = try OptionValues.count(text, option: "max-evals", range: 1...1_000_000)
        }
        if let text = arguments.options["population"] {
            options.populationSize = try OptionValues.count(text, option: "population", range: 2...100_000)
        }
        if let text = arguments.options["seed"] {
            options.seed = UInt64(try OptionValues.count(text, option: "seed", range: 0...Int.max))
        }
        if let text = arguments.options["sigma0"] {
            guard let sigma = Double(text), sigma.isFinite, sigma > 0, sigma <= 10 else {
                throw UsageError(message: "--sigma0 must be a number above 0 and at most 10, not '\(text)'")
            }
            options.sigma0 = sigma
        }
        let search = try SearchDefinition(contentsOf: arguments.positionals[0])
        let outputPath = arguments.positionals[1]
        let tokenizerModel = search.genome.baseModel ?? search.genome.models[0]
        let encoder = try TokenizerSource.encoder(
            for: tokenizerModel, chatTemplatePath: arguments.options["chat-template"])
        let json = arguments.flags.contains("json")
        let line = EvolveProgressLine(enabled: !json && !arguments.flags.contains("quiet"))
        let result = try EvolveRun.run(
            search: search, outputPath: outputPath, encoder: encoder, options: options, progress: line.show)
        line.finish()
        writeToStandardOutput(json ? EvolveReport.json(result) : EvolveReport.text(result))
        return .success
    }
}
